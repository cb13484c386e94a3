/** The address an uploaded photo or club cover is served at (server/index.ts serves `/uploads`). */
export const photoUrl = (photoPath: string | null) => (photoPath ? `/uploads/${photoPath}` : null)
