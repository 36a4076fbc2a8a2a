/**
 * Each command's usage line, for `stargate help` and the command's own usage errors. Kept
 * apart from the commands so that the help text loads none of them (see `main.ts`).
 */
export const validateUsage = 'stargate validate FILE';

export const schemaUsage = 'stargate schema';

export const explainUsage =
  'stargate explain FILE WORKLOAD [--period YYYY-MM] [--format text|json]';

export const planUsage =
  'stargate plan FILE [--format text|json|csv] [--solver auto|exact|fast] [--time-limit SEC] [--chart OUT.svg]';

export const diffUsage =
  'stargate diff A.yaml (B.yaml | --patch CHANGE.json) [--format text|json] [--solver auto|exact|fast] [--time-limit SEC]';

export const clausesUsage =
  'stargate clauses FILE [--format text|json|csv] [--pairs all|none] [--solver auto|exact|fast] [--time-limit SEC] [--threads N]';

export const valueUsage =
  'stargate value FILE [--format text|json|csv] [--solver auto|exact|fast] [--time-limit SEC] [--top N] [--threads N]';

export const ledgerUsage =
  'stargate ledger FILE [--plan PLAN.json] [--by month|quarter|year] [--format table|json|csv] [--solver auto|exact|fast] [--time-limit SEC] [--chart OUT.svg]';

export const forecastUsage =
  'stargate forecast FILE [--runs N] [--seed S] [--provider ID] [--correlation R] [--format table|json|csv] [--chart OUT.svg]';

export const riskUsage =
  'stargate risk FILE [--plan PLAN.json | --solver auto|exact|fast --time-limit SEC] [--runs N] [--seed S] [--correlation R] [--top N] [--hedge N [--hedged-plan OUT.json]] [--format text|json|csv]';

export const genUsage =
  'stargate gen [--workloads N] [--pools N] [--months N] [--gang-share F] [--family standard|gang-heavy|tight|long-gangs|many-accelerators|rofr-pending|binding-commitments|mixed] [--seed S] [--finance] [--format yaml|json]';

export const serveUsage =
  'stargate serve [--port 8080] [--host 127.0.0.1] [--data DIR] [--import FILE] [--sweep-every SEC] [--log-level info] [--job-expiry 180] [--job-workers CORES] [--max-plans 2] [--plan-queue 8] [--rate-limit 60000] [--gpu-parts FILE] [--max-gpu-temperature 87] [--min-power-limit 0.9] [--critical-xids 48,63,...] [--fleet-history-every MIN] [--fleet-history-days 7] [--agent-deliveries all|none|ID,...]';

export const importUsage = 'stargate import FILE [--replace] [--data DIR]';

export const storeExportUsage = 'stargate export [--format yaml|json] [--data DIR]';

export const kueueExportUsage =
  'stargate export kueue PLAN.json (--month YYYY-MM | --from YYYY-MM --to YYYY-MM --out DIR) [--scenario FILE | --data DIR] [--out DIR] [--namespace-of CLASS=NS]... [--per-workload] [--api-version v1beta2|v1beta1] [--format yaml|json] [--diff-month YYYY-MM | --diff-plan PLAN2.json]';

export const skypilotExportUsage =
  'stargate export skypilot PLAN.json --workload W [--scenario FILE | --data DIR] [--infra ID=INFRA]... [--gpus-per-node N]';

/** The three forms of `stargate export`, one a line (help indents them alike). */
export const exportUsage = [storeExportUsage, kueueExportUsage, skypilotExportUsage].join('\n  ');

export const tokenUsage = [
  'stargate token create --role ROLE [--provider ID] [--site ID]... [--label TEXT] [--expires-in DAYS] [--data DIR | --server URL [--token T]]',
  '  stargate token list [--data DIR | --server URL [--token T]]',
  '  stargate token revoke TOKEN_ID [--data DIR | --server URL [--token T]]',
].join('\n');

export const agentUsage =
  'stargate agent --site S [--pool P] [--interval 30s] [--once] [--node-name N] [--dcgm URL] [--server URL] [--token T]';
