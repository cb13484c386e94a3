export * from './users'
export * from './clubs'
export * from './talks'
export * from './quizzes'
