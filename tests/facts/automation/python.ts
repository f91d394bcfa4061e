// Runs a runbook's Python (an aws:executeScript step's Script) in the test process with Skulpt, a
// Python interpreter written in JavaScript (npm `skulpt`, docs/libraries.md): CI has no python3.
// The script imports `boto3` and `time`; both are small Python modules here whose every call goes
// to the fake account (`aws`, `sleep`), so a script's calls are its own, not a reading of its text.
import "skulpt/dist/skulpt.min.js";
import "skulpt/dist/skulpt-stdlib.js";

const Sk = (globalThis as any).Sk;

/** What a script's boto3 and time calls reach. */
export interface ScriptWorld {
    /** A client call: the service's namespace, the operation's name as botocore spells it, the request. */
    call(service: string, operation: string, request: Record<string, unknown>): unknown;
    /** boto3's paginator config of an operation (botocore's paginators-1.json), or undefined: not pageable. */
    paginator(service: string, operation: string): { input_token: string; output_token: string; result_key: string } | undefined;
    /** A boto3 waiter's wait(): returns when the state is reached, throws when it is not. */
    wait(service: string, waiter: string, request: Record<string, unknown>): void;
    /** time.sleep: the fake clock moves on. */
    sleep(seconds: number): void;
    now(): number;
}

// boto3's client: a method per operation (botocore's xform_name: CamelCase to snake_case), its
// keyword arguments the request; get_paginator(name).paginate(**kw) yields the pages, following
// the paginator's output token; get_waiter(name).wait(**kw).
const BOTO3 = `
def _camel(name):
    return "".join(p[0].upper() + p[1:] for p in name.split("_"))

class _Pages:
    # Lazy, as boto3's PageIterator: the next page is asked for when the previous one is used up.
    def __init__(self, service, operation, config, kw):
        self.service = service
        self.operation = operation
        self.config = config
        self.kw = kw
        self.token = None
        self.done = False

    def __iter__(self):
        return self

    def __next__(self):
        if self.done:
            raise StopIteration()
        args = dict(self.kw)
        if self.token:
            args[self.config["input_token"]] = self.token
        page = _aws_call(self.service, self.operation, args)
        self.token = page.get(self.config["output_token"])
        self.done = not self.token
        return page

class _Paginator:
    def __init__(self, service, operation, config):
        self.service = service
        self.operation = operation
        self.config = config

    def paginate(self, **kw):
        return _Pages(self.service, self.operation, self.config, kw)

class _Waiter:
    def __init__(self, service, name):
        self.service = service
        self.name = name

    def wait(self, **kw):
        _aws_wait(self.service, self.name, kw)

class _Client:
    def __init__(self, service):
        self._service = service

    def get_paginator(self, name):
        config = _aws_paginator(self._service, _camel(name))
        if config is None:
            raise Exception("OperationNotPageableError: " + name)
        return _Paginator(self._service, _camel(name), config)

    def get_waiter(self, name):
        return _Waiter(self._service, name)

    def __getattr__(self, name):
        service = self._service
        def call(**kw):
            return _aws_call(service, _camel(name), kw)
        return call

def client(service, **kw):
    return _Client(service)
`;

const TIME = `
def sleep(seconds):
    _time_sleep(seconds)

def time():
    return _time_now()
`;

let world: ScriptWorld | undefined;
const toJs = (v: unknown) => Sk.ffi.remapToJs(v);
const toPy = (v: unknown) => Sk.ffi.remapToPy(v === undefined ? null : v);
/** A JavaScript error raised in Python as an Exception (a botocore ClientError's message). */
function bridge<T extends unknown[]>(f: (...args: T) => unknown) {
    return new Sk.builtin.func((...args: unknown[]) => {
        try {
            return toPy(f(...(args.map(toJs) as T)));
        } catch (e) {
            throw new Sk.builtin.Exception(new Sk.builtin.str(e instanceof Error ? e.message : String(e)));
        }
    });
}
Sk.builtins._aws_call = bridge((s: string, o: string, r: Record<string, unknown>) => world!.call(s, o, r ?? {}));
Sk.builtins._aws_paginator = bridge((s: string, o: string) => world!.paginator(s, o) ?? null);
Sk.builtins._aws_wait = bridge((s: string, w: string, r: Record<string, unknown>) => world!.wait(s, w, r ?? {}));
Sk.builtins._time_sleep = bridge((n: number) => world!.sleep(n));
Sk.builtins._time_now = bridge(() => world!.now());

const MODULES: Record<string, string> = { "src/lib/boto3.py": BOTO3, "src/lib/time.py": TIME };
Sk.configure({
    __future__: Sk.python3,
    output: () => undefined,
    read(file: string) {
        if (file in MODULES) return MODULES[file];
        // The fakes replace Skulpt's own modules of the same names.
        if (/^src\/lib\/(boto3|time)(\.js|\/__init__\.(py|js))$/.test(file)) throw new Error(`File not found: '${file}'`);
        const builtin = Sk.builtinFiles?.files[file];
        if (builtin === undefined) throw new Error(`File not found: '${file}'`);
        return builtin;
    },
});

const modules = new Map<string, Promise<any>>();
let runs = 0;
/** The script's module, compiled and run once per script text (its top level only defines functions and constants). */
function scriptModule(script: string): Promise<any> {
    const known = modules.get(script);
    if (known) return known;
    const name = `runbook_script_${++runs}`;
    const compiled: Promise<any> = Sk.misceval.asyncToPromise(() => Sk.importMainWithBody(name, false, script, true));
    modules.set(script, compiled);
    return compiled;
}

/**
 * Runs `script` and calls `handler(payload, None)` as aws:executeScript does (the handler's first
 * parameter is the step's InputPayload); resolves to the handler's return value, rejects with the
 * Python exception a script raised.
 */
export async function runPythonHandler(script: string, handler: string, payload: unknown, w: ScriptWorld): Promise<unknown> {
    world = w;
    try {
        const module = await scriptModule(script);
        const fn = module.$d[handler];
        if (!fn) throw new Error(`the script defines no handler ${handler}`);
        const result = await Sk.misceval.asyncToPromise(() =>
            Sk.misceval.callsimOrSuspendArray(fn, [toPy(payload), Sk.builtin.none.none$]),
        );
        return toJs(result);
    } catch (e) {
        throw new Error(`the script raised: ${e && typeof e === "object" && "toString" in e ? String(e) : e}`);
    } finally {
        world = undefined;
    }
}
