// The start and stop runbooks' scripts run (python3, with boto3 replaced by a small EC2/SSM world
// and a clock that sleep advances) across one window execution after an earlier, cut-off one: the
// start starts the group's stopped instances and tags them with its execution's id; the stop stops
// exactly those, never an instance a person started or one an earlier execution left tagged. The
// test is skipped where python3 is missing (CI needs no Python: tests/authz reads the same scripts).
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { STARTED_BY_WINDOW_TAG, startRunbook, STOP_RUNBOOK } from "../../components/strategies";

const HARNESS = String.raw`
import json, sys, types
world = json.loads(sys.argv[1])
clock = {"now": 1000.0}
fake_time = types.ModuleType("time")
fake_time.time = lambda: clock["now"]
def sleep(s): clock["now"] += s; world["ticks"] = world.get("ticks", 0) + 1
fake_time.sleep = sleep
sys.modules["time"] = fake_time

def matches(i, filters):
    for f in filters:
        if f["Name"] == "instance-state-name":
            if i["state"] not in f["Values"]: return False
        elif f["Name"].startswith("tag:"):
            if i["tags"].get(f["Name"][4:]) not in f["Values"]: return False
    return True

class Pages:
    def __init__(self, fn): self.fn = fn
    def paginate(self, **kw): return [self.fn(**kw)]

class EC2:
    def get_paginator(self, op):
        assert op == "describe_instances", op
        return Pages(lambda Filters: {"Reservations": [{"Instances": [{"InstanceId": k} for k, i in world["instances"].items() if matches(i, Filters)]}]})
    def create_tags(self, Resources, Tags):
        for r in Resources:
            for t in Tags: world["instances"][r]["tags"][t["Key"]] = t["Value"]
    def delete_tags(self, Resources, Tags):
        for r in Resources:
            for t in Tags: world["instances"][r]["tags"].pop(t["Key"], None)
    def start_instances(self, InstanceIds):
        for r in InstanceIds:
            i = world["instances"][r]
            world["calls"].append(["start", r])
            # EC2 cannot get a grant on the volumes' key: pending, then stopped again.
            i["state"] = "stopped" if i.get("kmsDenied") else "running"
            i["onlineAt"] = clock["now"] + i.get("bootSeconds", 60)
    def stop_instances(self, InstanceIds):
        for r in InstanceIds:
            world["calls"].append(["stop", r]); world["instances"][r]["state"] = "stopped"

class SSM:
    def get_paginator(self, op):
        assert op == "describe_instance_information", op
        def page(Filters):
            ids = Filters[0]["Values"]
            return {"InstanceInformationList": [{"InstanceId": k, "PingStatus": "Online" if i["state"] == "running" and clock["now"] >= i.get("onlineAt", 0) else "ConnectionLost"} for k, i in world["instances"].items() if k in ids]}
        return Pages(page)

boto3 = types.ModuleType("boto3")
boto3.client = lambda name: {"ec2": EC2, "ssm": SSM}[name]()
sys.modules["boto3"] = boto3
out = {}
for step in json.loads(sys.argv[2]):
    scope = {}
    exec(step["script"], scope)
    event = {k: (str(out.get(v[2:-2], v)) if v.startswith("{{") else v) for k, v in step["payload"].items()}
    try:
        result = scope["handler"](event, None)
        for o in step.get("outputs", []): out[step["name"] + "." + o["Name"]] = result[o["Selector"].split(".")[-1]]
        world["results"].append(result)
    except Exception as e:
        world["results"].append({"raised": str(e)}); break
print(json.dumps(world))
`;

const python = spawnSync("python3", ["--version"]).status === 0;

interface Instance {
    state: string;
    tags: Record<string, string>;
    kmsDenied?: boolean;
    bootSeconds?: number;
}
interface World {
    instances: Record<string, Instance>;
    calls: [string, string][];
    results: Record<string, unknown>[];
}

/** Runs a runbook's script steps with its parameters substituted, in order, against `world`. */
function run(runbook: any, parameters: Record<string, string>, world: World): World {
    const steps = runbook.mainSteps.map((s: any) => ({
        name: s.name,
        script: s.inputs.Script,
        outputs: s.outputs ?? [],
        payload: Object.fromEntries(
            Object.entries(s.inputs.InputPayload as Record<string, string>).map(([k, v]) => [
                k,
                v.replace(/\{\{(\w+)\}\}/g, (m, p: string) => parameters[p] ?? m),
            ]),
        ),
    }));
    const r = spawnSync("python3", ["-c", HARNESS, JSON.stringify(world), JSON.stringify(steps)], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
}

const GROUP = { "Patch Group": "Dev Boxes" };
const EARLIER = "11111111-2222-3333-4444-555555555555";
const NOW = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

describe("components: the start and stop runbooks, run (python3, boto3 replaced)", function () {
    before(function () {
        if (!python) this.skip();
    });
    const params = { TagKey: "Patch Group", PatchGroup: "Dev Boxes", WindowExecutionId: NOW, TimeoutMinutes: "20" };
    const fleet = (): World => ({
        instances: {
            "i-stopped": { state: "stopped", tags: { ...GROUP } },
            "i-person": { state: "running", tags: { ...GROUP } },
            // A cut-off execution started it and never stopped it; someone uses it now.
            "i-leftover": { state: "running", tags: { ...GROUP, [STARTED_BY_WINDOW_TAG]: EARLIER } },
            "i-other-group": { state: "stopped", tags: { "Patch Group": "Web Server" } },
        },
        calls: [],
        results: [],
    });

    it("start then stop: only the instance this execution started is stopped, and its tag removed", function () {
        const started = run(startRunbook(20), params, fleet());
        assert.deepEqual(started.calls, [["start", "i-stopped"]]);
        assert.equal(started.instances["i-stopped"].tags[STARTED_BY_WINDOW_TAG], NOW);
        assert.ok(!("raised" in started.results.at(-1)!), JSON.stringify(started.results));
        const stopped = run(STOP_RUNBOOK, params, { ...started, calls: [], results: [] });
        assert.deepEqual(stopped.calls, [["stop", "i-stopped"]]);
        assert.equal(stopped.instances["i-stopped"].tags[STARTED_BY_WINDOW_TAG], undefined);
        assert.equal(stopped.instances["i-person"].state, "running");
        assert.equal(stopped.instances["i-leftover"].state, "running", "another execution's tag is not this execution's");
        assert.equal(stopped.instances["i-other-group"].state, "stopped");
    });

    it("the start waits past one step's 600 s for a slow agent, and fails the task when the agent never comes or KMS stops the start", function () {
        const slow = fleet();
        slow.instances["i-stopped"].bootSeconds = 900;
        const waited = run(startRunbook(20), params, slow);
        assert.deepEqual(waited.results.at(-1), { online: true });
        const never = fleet();
        never.instances["i-stopped"].bootSeconds = 99_999;
        assert.match(String(run(startRunbook(20), params, never).results.at(-1)!.raised), /offline i-stopped/);
        const kms = fleet();
        kms.instances["i-stopped"].kmsDenied = true;
        assert.match(String(run(startRunbook(20), params, kms).results.at(-1)!.raised), /offline i-stopped/);
    });
});
