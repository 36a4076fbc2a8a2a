/** Being built: see the dashboard issue. */
export function OverviewPage() {
  return (
    <section className="page">
      <h1>overview</h1>
    </section>
  );
}
