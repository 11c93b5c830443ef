/**
 * The main job through the real pulumi CLI on the lab (issue: roll forward): preview shows the plan, up
 * carries out every step, a second up changes nothing, refresh finds no drift, and the lab shows the
 * finished update. One scenario per shape of Table 1-1 / 1-2.
 */
import { enableWebApi, readLabState, snapshot, compareSnapshots } from "../../providers/lab";
import { completedUpdateProblems, monitorNoRecovery } from "../support/labChecks";
import { planChain } from "../../providers/chain";
import { parseStackConfig } from "../../providers/config/stack";
import { internalWithWebConsole, laterSource, sqlServerWithSflow } from "./config";
import { LabProject, changes, diagnostics, expectOk, netmgrResources } from "./pulumi";

const SQL_PASSWORD = "Sa-e2e-Passw0rd!";

async function rollForward(config: Record<string, unknown>, secrets: Record<string, string> = {}) {
  const project = await LabProject.create({ config, secrets });
  const preview = await project.preview();
  expectOk(preview, "preview");
  // The preview creates the lab (the pre-flight reads it) but changes nothing on it.
  const before = await snapshot(project.labDir);
  const monitorBefore = await monitorNoRecovery(project.labDir);
  let up = await project.up();
  if (up.code !== 0 && up.stdout.includes("Use Web API Function")) {
    // §3.8 is a GUI step: a person ticks the box, then pulumi up resumes.
    await enableWebApi(project.labDir);
    up = await project.up();
  }
  expectOk(up, "up");
  return { project, preview, up, before, monitorBefore };
}

async function expectSteadyState(project: LabProject): Promise<void> {
  const again = await project.up();
  expectOk(again, "second up");
  expect(changes(again.events)).toEqual({ same: expect.any(Number) });
  const refresh = await project.refresh();
  expectOk(refresh, "refresh");
  expect(Object.keys(changes(refresh.events)).filter((k) => k !== "same")).toEqual([]);
}

describe("roll forward with the real pulumi CLI on the lab", () => {
  const projects: LabProject[] = [];
  afterAll(() => projects.forEach((p) => p.dispose()));

  it("from 8.0 with internal DBs, the Web Console and two monitoring terminals (Table 1-1)", async () => {
    const { project, preview, up, before, monitorBefore } = await rollForward(internalWithWebConsole);
    projects.push(project);
    const plan = diagnostics(preview.events).join("\n");
    expect(plan).toMatch(
      /8\.0 -> 9\.0 \(internal DBs, Table 1-1\).*host1 is active now, host2 is updated first/,
    );
    expect(plan).toMatch(
      /observed: group active on host1; Manager host1 8\.0, host2 8\.0; View console1 8\.0, console2 8\.0/,
    );
    expect(before.hosts.host2!.manager).toBe("8.0");

    const state = netmgrResources((await project.state()).resources);
    // The engine created exactly the plan, in its order (test/unit/chain.test.ts pins the plan itself).
    const chainPlan = planChain(parseStackConfig((k) => raw(internalWithWebConsole, k)));
    expect([...state.keys()]).toEqual(chainPlan.steps.map((s) => s.name));
    expect(state.size).toBe(17);
    expect(state.get("10-move-to-host2")!.outputs!.evidence).toMatchObject({
      rupInstExitCode: 0,
      nvpLogStart: true,
      nvpLogEnd: true,
    });
    expect(
      await completedUpdateProblems(project.labDir, {
        toVersion: "9.0",
        activeHost: "host1",
        db: "internal",
        monitorNoRecoveryBefore: monitorBefore,
      }),
    ).toEqual([]);
    await expectSteadyState(project);

    // The CMDB password read from WFDB.INI (Table 2-1) never reaches the state in clear.
    const lab = await readLabState(project.labDir);
    expect(project.backendText()).not.toContain(lab.secrets.cmdbPassword);
    // Nor the output of the run (WfdbCmdSetup.bat takes it as an argument on the node, §3.2.1 step 2).
    expect(up.stdout + up.stderr).not.toContain(lab.secrets.cmdbPassword);
  });

  it("from 8.0 with SQL Server DBs including sFlow, no Web Console, no terminals (Table 1-2)", async () => {
    const { project, up, monitorBefore } = await rollForward(sqlServerWithSflow, {
      sqlPassword: SQL_PASSWORD,
    });
    projects.push(project);
    const state = netmgrResources((await project.state()).resources);
    expect([...state.keys()]).not.toContain("16-web-api");
    const backup = state.get("05-backup-host1-data")!.outputs!.backup as { sql: { database: string }[] };
    expect(backup.sql.map((s) => s.database).sort()).toEqual(["nvprodb", "sflowdb"]);
    expect(up.stdout).toMatch(/copied WFDB\.INI and NvPROBaseMgr\.ini to host2 \(§3\.2\.2 step 6\)/);
    expect(
      await completedUpdateProblems(project.labDir, {
        toVersion: "9.0",
        activeHost: "host1",
        db: "sqlserver",
        monitorNoRecoveryBefore: monitorBefore,
      }),
    ).toEqual([]);
    await expectSteadyState(project);
    // The SQL password is a Pulumi secret: encrypted in the stack file, never in state, logs or outputs.
    expect(project.backendText()).not.toContain(SQL_PASSWORD);
    expect(up.stdout + up.stderr).not.toContain(SQL_PASSWORD);
  });

  it("from a source later than 8.0: the ★ steps are skipped, and the plan says why", async () => {
    const { project, preview, monitorBefore } = await rollForward(laterSource);
    projects.push(project);
    expect(diagnostics(preview.events).join("\n")).toMatch(
      /skipped: WebConsoleConfig \(§3\.3\): the source version 8\.1 is later than 8\.0/,
    );
    const kinds = [...netmgrResources((await project.state()).resources).values()].map((r) =>
      r.type.split(":").pop(),
    );
    expect(kinds).not.toContain("WebConsoleConfig");
    expect(kinds).not.toContain("ServiceRegistration");
    expect(kinds).not.toContain("ClusterResourceDependencies");
    expect(
      await completedUpdateProblems(project.labDir, {
        toVersion: "9.1",
        activeHost: "host1",
        db: "internal",
        monitorNoRecoveryBefore: monitorBefore,
      }),
    ).toEqual([]);
    await expectSteadyState(project);
  });

  it("a preview changes nothing on the cluster", async () => {
    const project = await LabProject.create({ config: laterSource });
    projects.push(project);
    expectOk(await project.preview(), "first preview");
    const before = await snapshot(project.labDir);
    expectOk(await project.preview(), "second preview");
    expect(compareSnapshots(before, await snapshot(project.labDir))).toEqual([]);
  });
});

function raw(config: Record<string, unknown>, key: string): string | undefined {
  const v = config[key];
  return v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
}
