// The club permission table lives in db/access/club-permissions.ts; this address stays for the
// modules of talks and quizzes and the club admin page until they import it from there.
export * from './access/club-permissions'
