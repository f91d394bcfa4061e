// Checks GitHub Actions workflow files before GitHub sees them:
// @action-validator/core for the schema (keys, types, `needs` that name real
// jobs, globs), and the `${{ }}` expressions here, which that validator does
// not parse: syntax, known functions and contexts, `needs.<job>` only for a
// job listed in `needs`, `steps.<id>` only for an earlier step, `matrix` only
// in a job with a matrix, and no `secrets` in an `if:` (GitHub rejects it).
import * as fs from "fs";
import * as path from "path";
import { validateWorkflow } from "@action-validator/core";
import YAML from "yaml";

export interface WorkflowProblem {
    file: string;
    /** Where in the document, e.g. `/jobs/preview/steps/3/if`. */
    path: string;
    message: string;
}

const CONTEXTS = new Set(["github", "env", "vars", "job", "jobs", "steps", "runner", "secrets", "strategy", "matrix", "needs", "inputs"]);
const FUNCTIONS = new Set([
    "contains",
    "startswith",
    "endswith",
    "format",
    "join",
    "tojson",
    "fromjson",
    "hashfiles",
    "success",
    "always",
    "cancelled",
    "failure",
]);

type Token = { kind: "ident" | "string" | "number" | "op" | "end"; text: string };

function tokenize(src: string): Token[] {
    const out: Token[] = [];
    let i = 0;
    while (i < src.length) {
        const c = src[i];
        if (/\s/.test(c)) {
            i++;
        } else if (c === "'") {
            let j = i + 1;
            for (;;) {
                if (j >= src.length) throw new Error("unterminated string");
                if (src[j] === "'" && src[j + 1] === "'") j += 2;
                else if (src[j] === "'") break;
                else j++;
            }
            out.push({ kind: "string", text: src.slice(i, j + 1) });
            i = j + 1;
        } else if (/[0-9]/.test(c) || (c === "-" && /[0-9]/.test(src[i + 1] ?? ""))) {
            const m = /^-?(0x[0-9a-f]+|[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?)/i.exec(src.slice(i))!;
            out.push({ kind: "number", text: m[0] });
            i += m[0].length;
        } else if (/[A-Za-z_]/.test(c)) {
            const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(src.slice(i))!;
            out.push({ kind: "ident", text: m[0] });
            i += m[0].length;
        } else {
            const two = src.slice(i, i + 2);
            if (["==", "!=", "<=", ">=", "&&", "||"].includes(two)) {
                out.push({ kind: "op", text: two });
                i += 2;
            } else if ("()[].,!<>*".includes(c)) {
                out.push({ kind: "op", text: c });
                i++;
            } else {
                throw new Error(`unexpected character "${c}"`);
            }
        }
    }
    out.push({ kind: "end", text: "" });
    return out;
}

/** Where an expression sits: what it may refer to. */
export interface ExpressionScope {
    needs: string[];
    /** Step ids defined before this point in the job; undefined outside steps. */
    steps?: string[];
    hasMatrix: boolean;
    /** An `if:` condition (no `secrets` there). */
    isIf: boolean;
}

/** Problems in one expression (the text inside `${{ }}`, or a bare `if:`); empty when fine. */
export function checkExpression(src: string, scope: ExpressionScope): string[] {
    let tokens: Token[];
    try {
        tokens = tokenize(src);
    } catch (e) {
        return [`${(e as Error).message} in "${src.trim()}"`];
    }
    const problems: string[] = [];
    let pos = 0;
    const peek = () => tokens[pos];
    const take = (text?: string) => {
        const t = tokens[pos];
        if (text !== undefined && t.text !== text)
            throw new Error(`expected "${text}" but found ${t.kind === "end" ? "the end" : `"${t.text}"`}`);
        pos++;
        return t;
    };
    const checkReference = (root: string, first: string | undefined) => {
        const r = root.toLowerCase();
        if (!CONTEXTS.has(r)) {
            problems.push(`unknown context "${root}" (contexts: ${[...CONTEXTS].join(", ")})`);
            return;
        }
        if (r === "secrets" && scope.isIf)
            problems.push(`"secrets" cannot be used in an if: condition; copy it to env and test env instead`);
        if (r === "matrix" && !scope.hasMatrix) problems.push(`"matrix" is used in a job without a strategy.matrix`);
        if (r === "needs" && first !== undefined && !scope.needs.includes(first))
            problems.push(`needs.${first}: the job does not list "${first}" in needs`);
        if (r === "steps" && first !== undefined && scope.steps !== undefined && !scope.steps.includes(first)) {
            problems.push(`steps.${first}: no earlier step in this job has id "${first}"`);
        }
    };
    const primary = (): void => {
        const t = take();
        if (t.kind === "string" || t.kind === "number") return;
        if (t.kind === "op" && t.text === "(") {
            expression();
            take(")");
            return;
        }
        if (t.kind === "op" && t.text === "!") return primary();
        if (t.kind !== "ident") throw new Error(`unexpected ${t.kind === "end" ? "end" : `"${t.text}"`}`);
        const lower = t.text.toLowerCase();
        if (["true", "false", "null"].includes(lower)) return;
        if (peek().text === "(") {
            if (!FUNCTIONS.has(lower)) problems.push(`unknown function "${t.text}()"`);
            take("(");
            if (peek().text !== ")") {
                expression();
                while (peek().text === ",") {
                    take(",");
                    expression();
                }
            }
            take(")");
        } else {
            let first: string | undefined;
            if (peek().text === ".") {
                take(".");
                const p = take();
                if (p.kind !== "ident" && p.text !== "*") throw new Error(`expected a property name after "${t.text}."`);
                first = p.text;
            }
            checkReference(t.text, first);
        }
        // Property access and indexing after a value (also after a call: fromJSON(x).y).
        for (;;) {
            if (peek().text === ".") {
                take(".");
                const p = take();
                if (p.kind !== "ident" && p.text !== "*") throw new Error(`expected a property name after "."`);
            } else if (peek().text === "[") {
                take("[");
                expression();
                take("]");
            } else break;
        }
    };
    const comparison = (): void => {
        primary();
        while (["==", "!=", "<", ">", "<=", ">="].includes(peek().text)) {
            take();
            primary();
        }
    };
    const and = (): void => {
        comparison();
        while (peek().text === "&&") {
            take();
            comparison();
        }
    };
    const expression = (): void => {
        and();
        while (peek().text === "||") {
            take();
            and();
        }
    };
    try {
        if (peek().kind === "end") throw new Error("empty expression");
        expression();
        if (peek().kind !== "end") throw new Error(`unexpected "${peek().text}" after the expression`);
    } catch (e) {
        problems.push(`${(e as Error).message} in "${src.trim()}"`);
    }
    return problems;
}

/** The `${{ }}` expressions inside a string; an unclosed one is a problem. */
export function embeddedExpressions(text: string): { expressions: string[]; problems: string[] } {
    const expressions: string[] = [];
    const problems: string[] = [];
    let at = 0;
    for (;;) {
        const open = text.indexOf("${{", at);
        if (open < 0) break;
        const close = text.indexOf("}}", open + 3);
        if (close < 0) {
            problems.push(`"\${{" without a closing "}}" in "${text.slice(open, open + 60)}"`);
            break;
        }
        expressions.push(text.slice(open + 3, close));
        at = close + 2;
    }
    return { expressions, problems };
}

function walkStrings(value: unknown, at: string, visit: (text: string, at: string) => void) {
    if (typeof value === "string") visit(value, at);
    else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, `${at}/${i}`, visit));
    else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) walkStrings(v, `${at}/${k}`, visit);
}

/** Every problem in one workflow's text: schema (action-validator) and expressions. */
export function lintWorkflow(file: string, text: string): WorkflowProblem[] {
    const problems: WorkflowProblem[] = [];
    const state = validateWorkflow(text);
    const flatten = (errors: typeof state.errors) => {
        for (const e of errors) {
            if ("states" in e && e.states && e.states.length > 0 && e.code === "one_of") {
                // A oneOf failure lists every alternative; report the alternative closest to the text (fewest errors).
                const best = [...e.states].sort((a, b) => a.errors.length - b.errors.length)[0];
                if (best.errors.length > 0) flatten(best.errors);
                else problems.push({ file, path: e.path, message: e.title });
            } else {
                problems.push({ file, path: "path" in e ? e.path : "", message: [e.title, e.detail].filter(Boolean).join(": ") });
            }
        }
    };
    flatten(state.errors);

    let doc: any;
    try {
        doc = YAML.parse(text);
    } catch {
        return problems; // action-validator has reported the YAML error
    }
    const report = (at: string, list: string[]) => list.forEach((message) => problems.push({ file, path: at, message }));
    const checkValue = (value: unknown, at: string, scope: ExpressionScope) =>
        walkStrings(value, at, (s, where) => {
            const { expressions, problems: p } = embeddedExpressions(s);
            report(where, p);
            for (const x of expressions) report(where, checkExpression(x, { ...scope, isIf: scope.isIf || where.endsWith("/if") }));
        });
    const checkIf = (value: unknown, at: string, scope: ExpressionScope) => {
        if (typeof value !== "string") return;
        // An if: is an expression with or without ${{ }}.
        if (value.includes("${{")) checkValue(value, at, { ...scope, isIf: true });
        else report(at, checkExpression(value, { ...scope, isIf: true }));
    };

    const top: ExpressionScope = { needs: [], hasMatrix: false, isIf: false };
    for (const key of Object.keys(doc ?? {})) if (key !== "jobs") checkValue(doc[key], `/${key}`, top);
    for (const [jobId, job] of Object.entries<any>(doc?.jobs ?? {})) {
        if (!job || typeof job !== "object") continue;
        const needs: string[] = typeof job.needs === "string" ? [job.needs] : Array.isArray(job.needs) ? job.needs : [];
        const scope: ExpressionScope = { needs, hasMatrix: Boolean(job.strategy?.matrix), isIf: false };
        const base = `/jobs/${jobId}`;
        for (const [k, v] of Object.entries<any>(job)) {
            if (k === "steps") continue;
            if (k === "if") checkIf(v, `${base}/if`, scope);
            else checkValue(v, `${base}/${k}`, scope);
        }
        const seen: string[] = [];
        (Array.isArray(job.steps) ? job.steps : []).forEach((step: any, i: number) => {
            const stepScope = { ...scope, steps: [...seen] };
            for (const [k, v] of Object.entries<any>(step ?? {})) {
                if (k === "if") checkIf(v, `${base}/steps/${i}/if`, stepScope);
                else checkValue(v, `${base}/steps/${i}/${k}`, stepScope);
            }
            if (typeof step?.id === "string") seen.push(step.id);
        });
    }
    return problems;
}

/** Lints every workflow in `.github/workflows` of `root`. */
export function lintWorkflowDir(root: string): WorkflowProblem[] {
    const dir = path.join(root, ".github", "workflows");
    return fs
        .readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .flatMap((f) => lintWorkflow(path.join(".github", "workflows", f), fs.readFileSync(path.join(dir, f), "utf8")));
}

if (require.main === module) {
    const problems = lintWorkflowDir(path.resolve(__dirname, "..", ".."));
    for (const p of problems) process.stderr.write(`${p.file}: ${p.path}: ${p.message}\n`);
    process.exit(problems.length > 0 ? 1 : 0);
}
