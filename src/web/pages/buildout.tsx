/** Being built: see the dashboard issue. */
export function BuildoutPage() {
  return (
    <section className="page">
      <h1>buildout</h1>
    </section>
  );
}
