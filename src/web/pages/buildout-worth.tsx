import { grouped } from '../../core/format.js';
import { formatUSDNumber as money } from '../../core/money.js';
import { ApiError } from '../api';
import type { LedgerReportJson, PlanRiskJson, PlanSummary, PlanValue, Role } from '../api-types';
import { Failure, Panel } from '../components/panel';
import { TableHead, numeric } from '../components/table-head';
import { useApi, useComputedApi } from '../queries';
import type { MoveWorth, ScheduleWorthRow, SlipWorth } from './buildout-data';
import { latestPlanId, moveText, scheduleWorthRows, slipCostText, slipText } from './buildout-data';

/** Roles that list stored plans; a funder finds the newest through its books instead. */
const READS_PLANS: readonly Role[] = ['admin', 'planner', 'viewer'];
const READS_WORTH: readonly Role[] = [...READS_PLANS, 'funder'];

/** The forecast fan's draws, so the slips here are the ones the fan shows. */
const RISK_RUNS = 1000;
const RISK_SEED = 1;

/** Where an answer the server computes in the background stands. */
type Source = 'computing' | 'failed' | 'ready';

/**
 * Each building's schedule in money, for the newest stored plan: what bringing it online a
 * month earlier saves and a quarter late costs (`/value`, re-planned), and how often it slips
 * and what its slip costs the plan (`/risk`, the forecast's draws). Both are computed on the
 * server in the background, seconds after a plan is made: the table asks only once the page's
 * own facts are in, and shows "computing…" per column until each answer is.
 */
export function ScheduleWorthPanel({
  role,
  buildings,
}: {
  role: Role;
  buildings: readonly { readonly id: string; readonly online: string }[] | undefined;
}) {
  const readsPlans = READS_PLANS.includes(role);
  const reads = READS_WORTH.includes(role);
  // The page's own tables first: the browser opens few connections to one host.
  const start = reads && buildings !== undefined;
  const plans = useApi<PlanSummary[]>('plans', start && readsPlans ? '/v1/plans' : undefined);
  const ledger = useApi<LedgerReportJson>(
    'finance',
    start && !readsPlans ? '/v1/ledger?by=quarter&journal=false' : undefined,
  );
  // The books answer 409 when there is no plan: for a funder that is how "none" reads.
  const noBooks = ledger.error instanceof ApiError && ledger.error.status === 409;
  const planId = noBooks ? null : latestPlanId(plans.data, ledger.data);
  const value = useComputedApi<PlanValue>(
    'plans',
    planId ? `/v1/plans/${planId}/value` : undefined,
  );
  const risk = useComputedApi<PlanRiskJson>(
    'plans',
    planId ? `/v1/plans/${planId}/risk?runs=${RISK_RUNS}&seed=${RISK_SEED}` : undefined,
  );
  const valueBody = value.data?.state === 'ready' ? value.data.body : undefined;
  const riskBody = risk.data?.state === 'ready' ? risk.data.body : undefined;
  const sources = {
    value: sourceOf(value.error, valueBody),
    risk: sourceOf(risk.error, riskBody),
  };
  const rows = buildings ? scheduleWorthRows(buildings, valueBody, riskBody) : undefined;
  const planError = plans.error ?? (noBooks ? undefined : ledger.error);

  let body;
  if (!reads) body = <p>not available to role {role}</p>;
  else if (planError) body = <Failure error={planError} />;
  else if (planId === null)
    body = (
      <p className="muted">
        No stored plan yet. Once one is made (the Plan page, or <code>POST /v1/plans</code>), each
        building&rsquo;s month earlier, quarter late and slip are priced here.
      </p>
    );
  else body = <WorthTable rows={rows} sources={sources} />;

  return (
    <Panel
      title={
        planId
          ? `What each building’s schedule is worth (plan ${planId})`
          : 'What each building’s schedule is worth'
      }
    >
      {riskBody && <RiskSummary risk={riskBody} />}
      {body}
      {reads && (
        <p className="muted legend-note">
          A month earlier saves, a quarter late costs: the plan&rsquo;s scenario re-planned with the
          building online that much sooner or later, with the interval both plans&rsquo; proven
          bounds leave (<code>stargate value</code>). Slips: over {grouped(RISK_RUNS)} draws (seed{' '}
          {RISK_SEED}), the forecast&rsquo;s; its cost: the plan&rsquo;s expected extra cost had
          this building alone slipped, work moving where it can (<code>stargate risk</code>).
        </p>
      )}
    </Panel>
  );
}

function sourceOf(error: unknown, body: unknown): Source {
  if (error) return 'failed';
  return body === undefined ? 'computing' : 'ready';
}

/** The plan's whole exposure, above the rows: slips together, not each alone. */
function RiskSummary({ risk }: { risk: PlanRiskJson }) {
  const extra = risk.totalUSD.mean - risk.nominal.totalUSD;
  return (
    <p className="worth-summary">
      Slips add <strong>{extra > 0 ? `+${money(extra)}` : money(extra)}</strong> to the plan&rsquo;s{' '}
      {money(risk.nominal.totalUSD)} in expectation (p90 {money(risk.totalUSD.p90)});{' '}
      {grouped(risk.runsCostlier)} of {grouped(risk.runs)} runs cost more than the plan.
    </p>
  );
}

function WorthTable({
  rows,
  sources,
}: {
  rows: ScheduleWorthRow[] | undefined;
  sources: { value: Source; risk: Source };
}) {
  const busy = rows === undefined || sources.value === 'computing' || sources.risk === 'computing';
  return (
    <div
      className="table-box"
      tabIndex={0}
      role="region"
      aria-label="What each building’s schedule is worth, scrollable"
    >
      <table className="worth-table">
        <TableHead
          columns={[
            'Building',
            'Planned online',
            numeric('A month earlier saves'),
            numeric('A quarter late costs'),
            'Slips',
            numeric('Its slip costs (expected)'),
          ]}
        />
        <tbody aria-busy={busy}>
          {rows === undefined ? (
            <tr>
              <td colSpan={6} className="muted">
                Loading…
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={row.building}>
                <th scope="row">{row.building}</th>
                <td>{row.online ?? '—'}</td>
                <td className="num">
                  <MoveCell move={row.monthEarlier} source={sources.value} />
                </td>
                <td className="num">
                  <MoveCell move={row.quarterLate} source={sources.value} />
                </td>
                <td>
                  <SlipCell slip={row.slip} source={sources.risk} text={slipText} />
                </td>
                <td className="num">
                  <SlipCell
                    slip={row.slip}
                    source={sources.risk}
                    text={slipCostText}
                    quietWhenFree
                  />
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

/** A cell whose answer may not be in yet. */
function Pending({ source }: { source: Source }) {
  return source === 'failed' ? (
    <span className="muted">not available</span>
  ) : (
    <span className="muted" aria-busy="true">
      computing…
    </span>
  );
}

function MoveCell({ move, source }: { move: MoveWorth | null | undefined; source: Source }) {
  if (source !== 'ready') return <Pending source={source} />;
  if (move === undefined) return <span className="muted">—</span>;
  if (move === null) return <span className="muted">no room in the horizon</span>;
  const { amount, interval } = moveText(move);
  return (
    <>
      {/* Nothing saved or lost is an answer too, but the eye should go to the amounts. */}
      <span className={move.usd === 0 ? 'muted' : undefined}>{amount}</span>
      {interval && <span className="muted worth-interval">{interval}</span>}
    </>
  );
}

function SlipCell({
  slip,
  source,
  text,
  quietWhenFree = false,
}: {
  slip: SlipWorth | null | undefined;
  source: Source;
  text: (slip: SlipWorth) => string;
  /** Grey a slip that costs the plan nothing, as a move that saves nothing is. */
  quietWhenFree?: boolean;
}) {
  if (source !== 'ready') return <Pending source={source} />;
  if (slip === undefined) return <span className="muted">—</span>;
  if (slip === null) return <span className="muted">never slips</span>;
  return (
    <span className={quietWhenFree && slip.expectedCostUSD === 0 ? 'muted' : undefined}>
      {text(slip)}
    </span>
  );
}
