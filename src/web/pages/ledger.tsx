/** Being built: see the dashboard issue. */
export function LedgerPage() {
  return (
    <section className="page">
      <h1>ledger</h1>
    </section>
  );
}
