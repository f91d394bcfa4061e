import { nextStarts, nextStartsReference } from "@patch-manager/ssm";
const opts = { timezone: "America/Nuuk", from: new Date("2026-03-27T12:00:00Z"), count: 3 };
for (const c of ["cron(30 23 * * ? *)", "cron(0 23 * * ? *)"]) {
console.log(nextStarts(c, opts).map((d) => d.toISOString()));
console.log(nextStartsReference(c, opts).map((d) => d.toISOString()));
}
