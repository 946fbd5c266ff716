import { randomBytes, randomUUID } from "node:crypto";
import { ParameterStore } from "../functions/lib/aws/ssm.ts";
import type { FailoverConfig } from "../functions/lib/config.ts";
import type { ManualDeps } from "../functions/lib/manual/handle-event.ts";
import { manualContext } from "../functions/lib/manual/context.ts";
import { createSlackCommand } from "../functions/lib/slack-command/handler.ts";
import { slackParameterNames, slackSecretsFrom } from "../functions/lib/slack-command/secrets.ts";
import { slackApi } from "../functions/lib/slack-command/slack-api.ts";
import type { ManualStep } from "../offline/scenario.ts";
import type { ExpectationResult } from "../offline/replay/score.ts";
import { inProcessDefer, runSlackCommand, type SlackPerson } from "./slack-oncall.ts";
import type { OpenedView, SlackStandIn } from "./slack-stand-in.ts";

/** The drill's on-call person in Slack (the step's `actor` is the user name). */
const person = (userName: string): SlackPerson => ({
  teamId: "T0DRILL01",
  userId: "U0DRILL01",
  userName,
  channelId: "C0DRILL01",
  channelName: "incident",
});
const actor = `slack:${person("").userId}`;

/** What one confirmed Slack change left behind, checked again at the end. */
interface ChangeRecord {
  what: string;
  problems: string[];
}

/** On-call acting through the Slack command during a drill: its steps, and the `slackChanges` expectation. */
export interface SlackDrill {
  /** Runs a `via: "slack"` step; answers a line for the timeline. */
  run(step: ManualStep): Promise<string>;
  /** The `slackChanges` expectation, when the scenario sets it. */
  expectations(expected: number | undefined): ExpectationResult[];
}

/**
 * The Slack command as deployed, on the drill's parts: its handler over
 * the manual logic the CLI steps use, its secrets in the emulator's SSM,
 * `views.open` and response URLs on the Slack stand-in, and the work after
 * each answer run in this process (where Lambda would run the asynchronous
 * self-invocation).
 */
export async function startSlackDrill(
  config: FailoverConfig,
  slack: SlackStandIn,
  manual: ManualDeps,
  aws: { endpoint: string },
): Promise<SlackDrill> {
  const secret = randomBytes(24).toString("hex");
  const store = new ParameterStore({
    ...aws,
    region: manual.region,
    retry: { budgetMs: 30_000, attemptTimeoutMs: 30_000 },
  });
  const names = slackParameterNames(config.name);
  await store.put(names.signingSecret, secret, { secure: true });
  await store.put(names.botToken, "xoxb-drill", { secure: true });
  await store.put(names.onCall, person("").userId, { secure: true });
  const clock = manual.clock;
  // The manual logic the CLI steps use, with its release ids kept: a release's audit entry is found by its id.
  const releaseIds: string[] = [];
  const slackManual: ManualDeps = {
    ...manual,
    newReleaseId: () => {
      releaseIds.push(`release-${randomUUID().slice(0, 8)}`);
      return releaseIds.at(-1) as string;
    },
  };
  let command: ReturnType<typeof createSlackCommand> | undefined;
  const jobs = inProcessDefer((job) => (command as ReturnType<typeof createSlackCommand>).job(job));
  command = createSlackCommand({
    config: { ...config, slack: { teamId: person("").teamId, command: "/failover", apiUrl: slack.apiUrl } },
    manual: slackManual,
    secrets: slackSecretsFrom(store, config.name, clock),
    slack: slackApi({ apiUrl: slack.apiUrl }),
    defer: jobs.defer,
    countRefused: async () => undefined,
    clock,
    ...(manual.log ? { log: manual.log } : {}),
  });
  const entry = command;
  const signing = { secret, nowSeconds: () => Math.floor(clock.now() / 1000) };
  const changes: ChangeRecord[] = [];

  return {
    run: async (step) => {
      const text = commandText(step);
      const record: ChangeRecord = { what: `/failover ${text}`, problems: [] };
      const result = await runSlackCommand(entry, jobs.settle, slack, signing, person(step.actor), text, (view) =>
        modalValues(step, view, config),
      );
      const answer = slack.responses.at(-1)?.text.split("\n")[0] ?? "(no answer)";
      if (step.action === "status") return `Slack /failover status by ${step.actor}: ${answer}`;
      if (result.view === undefined) record.problems.push(`no modal opened: ${result.commandAnswer.body}`);
      else {
        const found = await checkChange(manual, step, result.view, releaseIds.at(-1));
        // What Slack showed the person (the submission's answer, then the result) says why, when something is off.
        const told = `submission answered ${result.submitAnswer?.statusCode} ${result.submitAnswer?.body ?? ""}, then "${answer}"`;
        record.problems.push(...found.map((problem) => `${problem} (${told})`));
      }
      changes.push(record);
      return `Slack ${record.what} by ${step.actor}, confirmed in the modal: ${answer}`;
    },
    expectations: (expected) => {
      if (expected === undefined) return [];
      // Each change's own event names who decided it ("By slack:U…:"); announcements arrive asynchronously, so they
      // are matched to the changes in order rather than by time.
      const events = slack.messages.filter((message) => message.text.includes(`By ${actor}:`));
      const problems = changes.flatMap((change, index) => {
        const event = events[index]?.text ?? "nothing";
        const wanted = change.what === "/failover release" ? "Override released" : "Override taken";
        const told = event.startsWith(wanted)
          ? []
          : [`alert-channel message ${index + 1} is "${event}", expected "${wanted}…"`];
        return [...change.problems, ...told].map((problem) => `${change.what}: ${problem}`);
      });
      if (events.length !== changes.length)
        problems.push(
          `${events.length} alert-channel messages by ${actor}, expected one per change (${changes.length})`,
        );
      const ok = changes.length === expected && problems.length === 0;
      return [
        {
          name: "slackChanges",
          ok,
          detail: `${changes.length} confirmed Slack change(s) (expected ${expected})${problems.length > 0 ? `: ${problems.join("; ")}` : ", each with one lease, one alert-channel message and the Slack user in its audit entry"}`,
        },
      ];
    },
  };
}

function commandText(step: ManualStep): string {
  if (step.action === "pin")
    return `pin ${Object.entries(step.weights ?? {})
      .map(([id, weight]) => `${id}=${weight}`)
      .join(",")}`;
  return step.target === undefined ? step.action : `${step.action} ${step.target}`;
}

/** What on-call types into the modal: the step's reason and TTL, and the target's id where the modal asks for it. */
function modalValues(step: ManualStep, view: OpenedView, config: FailoverConfig): Record<string, string> {
  const metadata = JSON.parse(String(view.view.private_metadata)) as { confirmTarget?: string };
  const lease = step.action === "promote" || step.action === "drain" || step.action === "pin";
  return {
    reason: step.reason ?? "",
    ...(lease ? { ttl: `${step.ttlSeconds ?? config.lease.defaultTtlSeconds}s` } : {}),
    ...(metadata.confirmTarget !== undefined ? { confirm: metadata.confirmTarget } : {}),
  };
}

/** Right after a confirmed change: exactly the modal's lease in place (none after a release), and its audit entry naming the Slack user. */
async function checkChange(
  manual: ManualDeps,
  step: ManualStep,
  view: OpenedView,
  releaseId: string | undefined,
): Promise<string[]> {
  const ctx = manualContext(manual);
  const snapshot = await ctx.switcher.read();
  const problems: string[] = [];
  let auditId: string | undefined;
  if (step.action === "release") {
    if (snapshot.lease !== undefined) problems.push(`lease ${snapshot.lease.id} still in place after the release`);
    auditId = releaseId;
  } else if (step.action !== "release-hold") {
    if (snapshot.lease?.id !== `slack-${view.id}`)
      problems.push(
        `lease in place is ${snapshot.lease?.id ?? "none"}, expected slack-${view.id} (one lease per modal)`,
      );
    auditId = snapshot.lease?.id;
  }
  if (auditId === undefined) return [...problems, "no audit id to check"];
  const { entry } = await ctx.audit.read(auditId);
  if (entry?.actor !== actor || !entry.caller?.includes(`Slack user ${step.actor} (`))
    problems.push(`audit entry ${auditId} names ${entry?.actor ?? "nobody"} / ${entry?.caller ?? "no caller"}`);
  return problems;
}
