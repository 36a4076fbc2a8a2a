/** Being built: see the dashboard issue. */
export function ContractsPage() {
  return (
    <section className="page">
      <h1>contracts</h1>
    </section>
  );
}
