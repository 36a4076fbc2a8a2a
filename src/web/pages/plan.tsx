/** Being built: see the dashboard issue. */
export function PlanPage() {
  return (
    <section className="page">
      <h1>plan</h1>
    </section>
  );
}
