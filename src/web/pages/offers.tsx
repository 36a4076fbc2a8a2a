/** Being built: see the dashboard issue. */
export function OffersPage() {
  return (
    <section className="page">
      <h1>offers</h1>
    </section>
  );
}
