import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes a new migration in drizzle/ from src/store/schema.ts.
export const config = defineConfig({
  dialect: 'postgresql',
  schema: './src/store/schema.ts',
  out: './drizzle',
});

// drizzle-kit reads the default export.
// eslint-disable-next-line import-x/no-default-export
export default config;
