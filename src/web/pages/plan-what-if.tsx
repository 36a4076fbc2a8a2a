import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { formatUSDNumber as money } from '../../core/money.js';
import { apiGet, apiSend, errorText } from '../api';
import type { TermsBody, WhatIfAnswer, WhatIfResult } from '../api-types';
import { WHAT_IF_EVENT } from '../live';
import { useApi } from '../queries';
import type { BuildingDoc, PoolDoc } from './buildout-data';
import { PlanDiffGrid } from './plan-compare';
import type { WhatIfEdits } from './plan-what-if-data';
import { parsePatchText, signedUSD, whatIfPatch } from './plan-what-if-data';

/** How long typing must pause before the what-if is asked. */
const DEBOUNCE_MS = 400;
/** How often to ask for the exact answer if the stream's event does not come (offline). */
const POLL_MS = 3_000;

type Answer = WhatIfAnswer['first'];

/**
 * "What if…" on /plan (planners): change a building's online month, a pool's price or a
 * contract's end — or type any merge patch of the scenario — and see at once what the latest
 * stored plan would become: `POST /v1/what-if` answers with the fast planner's plan and its
 * proven gap; the exact answer follows (the stream's `what-if` event, or a poll). Nothing is
 * stored. Each change supersedes the one before, on the server too.
 */
export function WhatIfPanel({ latestPlanId }: { latestPlanId: number }) {
  const buildings = useApi<BuildingDoc[]>('scenario', '/v1/buildings');
  const pools = useApi<PoolDoc[]>('scenario', '/v1/pools');
  const terms = useApi<TermsBody>('scenario', '/v1/terms');
  const [edits, setEdits] = useState<WhatIfEdits>({});
  const [typed, setTyped] = useState<string | undefined>(undefined);
  const [asked, setAsked] = useState<WhatIfAnswer | undefined>(undefined);
  const [exact, setExact] = useState<WhatIfResult | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const latestAsk = useRef(0);
  const ids = { building: useId(), online: useId(), pool: useId(), price: useId() };
  const more = { contract: useId(), to: useId(), patch: useId() };

  const parsed = useMemo(
    () => (typed === undefined ? { patch: whatIfPatch(edits) } : parsePatchText(typed)),
    [edits, typed],
  );
  const patchText = 'patch' in parsed ? JSON.stringify(parsed.patch) : undefined;

  // Ask once typing pauses; a newer ask makes older answers stale.
  useEffect(() => {
    if (patchText === undefined || patchText === '{}') {
      setAsked(undefined);
      setExact(undefined);
      setError(undefined);
      return undefined;
    }
    const ask = ++latestAsk.current;
    const timer = window.setTimeout(() => {
      setBusy(true);
      apiSend<WhatIfAnswer>('POST', '/v1/what-if', { patch: JSON.parse(patchText) as unknown })
        .then((answer) => {
          if (ask !== latestAsk.current) return;
          setAsked(answer);
          setExact(undefined);
          setError(undefined);
        })
        .catch((failure: unknown) => {
          if (ask !== latestAsk.current) return;
          setAsked(undefined);
          setError(errorText(failure));
        })
        .finally(() => {
          if (ask === latestAsk.current) setBusy(false);
        });
    }, DEBOUNCE_MS);
    return () => {
      window.clearTimeout(timer);
    };
  }, [patchText, latestPlanId]);

  // The exact answer: when the stream says so, or by asking now and then.
  useEffect(() => {
    if (asked?.exact.status !== 'computing') return undefined;
    let done = false;
    const fetchExact = () => {
      apiGet<WhatIfResult>(asked.exact.href).then(
        (result) => {
          if (done || result.status === 'computing') return;
          done = true;
          setExact(result);
        },
        () => undefined,
      );
    };
    const onEvent = (event: Event) => {
      const detail = (event as CustomEvent<{ id?: string }>).detail;
      if (detail.id === asked.id) fetchExact();
    };
    window.addEventListener(WHAT_IF_EVENT, onEvent);
    const poll = window.setInterval(fetchExact, POLL_MS);
    return () => {
      done = true;
      window.removeEventListener(WHAT_IF_EVENT, onEvent);
      window.clearInterval(poll);
    };
  }, [asked]);

  const contracts = terms.data?.contracts ?? [];
  const shown: Answer | undefined =
    exact?.status === 'done' ? (exact.exact ?? asked?.first) : asked?.first;

  return (
    <section className="panel what-if" aria-labelledby="what-if-title">
      <h2 id="what-if-title">What if…</h2>
      <p className="muted">
        Change one thing and see what the newest plan (#{latestPlanId}) would become. Nothing is
        stored; a planner stores a change in the scenario, then plans.
      </p>
      <div className="what-if-edits">
        <label htmlFor={ids.building}>Building</label>
        <select
          id={ids.building}
          value={edits.building?.id ?? ''}
          onChange={(event) => {
            const id = event.target.value;
            const online = buildings.data?.find((b) => b.id === id)?.online ?? '';
            setTyped(undefined);
            setEdits({ ...edits, building: id === '' ? undefined : { id, online } });
          }}
        >
          <option value="">—</option>
          {(buildings.data ?? []).map((b) => (
            <option key={b.id} value={b.id}>
              {b.id} (online {b.online})
            </option>
          ))}
        </select>
        <label htmlFor={ids.online}>comes online in</label>
        <input
          id={ids.online}
          type="month"
          value={edits.building?.online ?? ''}
          disabled={!edits.building}
          onChange={(event) => {
            if (!edits.building) return;
            setTyped(undefined);
            setEdits({ ...edits, building: { ...edits.building, online: event.target.value } });
          }}
        />

        <label htmlFor={ids.pool}>Pool</label>
        <select
          id={ids.pool}
          value={edits.pool?.id ?? ''}
          onChange={(event) => {
            const id = event.target.value;
            const price = pools.data?.find((p) => p.id === id)?.pricePerGpuHour;
            setTyped(undefined);
            setEdits({
              ...edits,
              pool: id === '' ? undefined : { id, pricePerGpuHour: String(price ?? '') },
            });
          }}
        >
          <option value="">—</option>
          {(pools.data ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {p.id} (${String(p.pricePerGpuHour)}/GPU-h)
            </option>
          ))}
        </select>
        <label htmlFor={ids.price}>costs $ per GPU-hour</label>
        <input
          id={ids.price}
          inputMode="decimal"
          value={edits.pool?.pricePerGpuHour ?? ''}
          disabled={!edits.pool}
          onChange={(event) => {
            if (!edits.pool) return;
            setTyped(undefined);
            setEdits({ ...edits, pool: { ...edits.pool, pricePerGpuHour: event.target.value } });
          }}
        />

        <label htmlFor={more.contract}>Contract</label>
        <select
          id={more.contract}
          value={edits.contract?.id ?? ''}
          onChange={(event) => {
            const id = event.target.value;
            const to = contracts.find((c) => c.contract === id)?.effective.to ?? '';
            setTyped(undefined);
            setEdits({ ...edits, contract: id === '' ? undefined : { id, to } });
          }}
        >
          <option value="">—</option>
          {contracts.map((c) => (
            <option key={c.contract} value={c.contract}>
              {c.contract} (to {c.effective.to})
            </option>
          ))}
        </select>
        <label htmlFor={more.to}>ends in</label>
        <input
          id={more.to}
          type="month"
          value={edits.contract?.to ?? ''}
          disabled={!edits.contract}
          onChange={(event) => {
            if (!edits.contract) return;
            setTyped(undefined);
            setEdits({ ...edits, contract: { ...edits.contract, to: event.target.value } });
          }}
        />
      </div>
      <label htmlFor={more.patch} className="what-if-patch-label">
        The change as a merge patch (edit it for anything else: a commitment, a workload, a new
        pool)
      </label>
      <textarea
        id={more.patch}
        className="what-if-patch"
        spellCheck={false}
        rows={2}
        value={typed ?? JSON.stringify(whatIfPatch(edits))}
        onChange={(event) => {
          setTyped(event.target.value);
        }}
      />
      <div className="what-if-actions">
        <button
          type="button"
          className="quiet"
          onClick={() => {
            setEdits({});
            setTyped(undefined);
          }}
        >
          Reset
        </button>
        <span role="status" className="muted">
          {'error' in parsed
            ? `Patch: ${parsed.error}`
            : busy
              ? 'Planning…'
              : asked?.exact.status === 'computing' && exact === undefined
                ? 'First answer shown; the exact one is on its way…'
                : asked?.exact.status === 'skipped'
                  ? 'First answer shown; the server is busy with other exact answers, so there is none for this one: change the patch or ask again later'
                  : ''}
        </span>
      </div>
      {error !== undefined && (
        <p role="alert" className="what-if-error">
          {error}
        </p>
      )}
      {asked && shown && (
        <>
          <WhatIfHeadline asked={asked} exact={exact} shown={shown} />
          <PlanDiffGrid body={shown.diff} labelA={`Plan #${asked.base.plan}`} labelB="What if" />
        </>
      )}
    </section>
  );
}

/** A gap as people read it: `0.113 %`, or `< 0.001 %` where three decimals show nothing. */
function gapPercent(gap: number): string {
  const percent = gap * 100;
  return percent > 0 && percent < 0.001 ? '< 0.001 %' : `${percent.toFixed(3)} %`;
}

function WhatIfHeadline({
  asked,
  exact,
  shown,
}: {
  asked: WhatIfAnswer;
  exact: WhatIfResult | undefined;
  shown: Answer;
}) {
  const proven = exact?.status === 'done' || asked.exact.status === 'same';
  const change = shown.changeUSD;
  return (
    <div className="what-if-headline">
      <p>
        <strong>Total {signedUSD(change.value, money)}</strong>{' '}
        <span className="muted">
          ({money(shown.diff.objective.totalUSD.a)} → {money(shown.totalUSD)})
        </span>
      </p>
      <p className="muted">
        {!proven
          ? `First answer (${shown.solver.method} planner, proven within ${gapPercent(shown.gap)}): the true change lies between ${signedUSD(change.low, money)} and ${signedUSD(change.high, money)}.`
          : shown.solver.method === 'exact'
            ? `Exact (HiGHS, ${shown.solver.status}): the change of the optima lies between ${signedUSD(change.low, money)} and ${signedUSD(change.high, money)}.`
            : `Final answer (the ${shown.solver.method} planner, as stargate plan plans a portfolio this size; proven within ${gapPercent(shown.gap)}): the true change lies between ${signedUSD(change.low, money)} and ${signedUSD(change.high, money)}.`}
        {exact?.status === 'failed' && ` The exact answer failed: ${exact.error ?? 'unknown'}.`}
        {!asked.base.current &&
          ` The scenario changed since plan #${asked.base.plan}: the difference includes those changes.`}
      </p>
    </div>
  );
}
