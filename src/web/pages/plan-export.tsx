import { useId, useState } from 'react';
import { apiFetch, errorText } from '../api';
import { download } from '../download';

/** This month in UTC, `YYYY-MM`: the export's default (the server refuses one outside the horizon). */
function thisMonth(): string {
  return new Date().toISOString().slice(0, 7);
}

/**
 * "Export": a month of the shown plan as Kueue manifests (`GET /v1/plans/{id}/export/kueue`,
 * YAML), downloaded for `kubectl apply -f` (docs/export.md). Read-only, so every role that sees
 * the plan may export it.
 */
export function PlanExport({ planId }: { planId: number }) {
  const [month, setMonth] = useState(thisMonth);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const monthId = useId();

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const response = await apiFetch(
        `/v1/plans/${planId}/export/kueue?month=${encodeURIComponent(month)}`,
        { headers: { accept: 'application/yaml' } },
      );
      download(
        `stargate-plan-${planId}-kueue-${month}.yaml`,
        await response.text(),
        'application/yaml',
      );
    } catch (failure) {
      setError(errorText(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="plan-export">
      <label htmlFor={monthId}>Kueue manifests for</label>
      <input
        id={monthId}
        type="month"
        value={month}
        required
        onChange={(event) => {
          setMonth(event.target.value);
        }}
      />
      <button
        type="button"
        className="quiet"
        onClick={() => void run()}
        disabled={busy || month === ''}
      >
        Export
      </button>
      {error !== undefined && (
        <p role="alert" className="plan-export-error">
          Export failed: {error}
        </p>
      )}
    </div>
  );
}
