/*
 * Quizzes, polls and surveys (docs/quizzes.md), by part in db/quizzes/: what a quiz is made of
 * and its draft schema (draft.ts), who may see, run and read one (access.ts, on the talk entry
 * rule of db/access/talks.ts), authoring, its questions, its page, live runs, answers (one by one
 * and live ones written together, scored by scoring.ts) and results. A quiz attached to a talk is
 * run live by the talk's hosts, one question at a time; a quiz in a club without a talk is
 * self-paced until its deadline or until it is closed.
 *
 * This module is what the rest of Rounds imports.
 */

export {
  QuizDetailsSchema,
  QuizDraftSchema,
  checkDraft,
  questionKindsFor,
  quizLimits,
  type QuestionKind,
  type QuizDraft,
  type QuizKind,
  type QuizStatus,
} from './quizzes/draft'
export { createQuiz, getQuizAuthoring, listTalkQuizzes, type QuizSummary } from './quizzes/authoring'
export {
  IMAGE_ALT_MAX,
  QuizNotReady,
  addQuizQuestion,
  duplicateQuizQuestion,
  getQuizEditor,
  moveQuizQuestion,
  publishQuiz,
  removeQuizQuestion,
  requireQuizImage,
  saveQuizDetails,
  saveQuizQuestion,
  startQuizDraft,
  type EditorQuestion,
  type ImageChange,
  type QuizEditor,
  type QuizProblem,
} from './quizzes/editing'
export type { PublicOption, PublicQuestion, Reveal } from './quizzes/questions'
export { closeQuiz, getQuizPage, type QuizPage } from './quizzes/page'
export { answerQuestion, myAnswers, type AnswerInput, type AnswerResult, type MyAnswer } from './quizzes/answers'
export {
  closeExpiredQuestion,
  closeQuestion,
  getLiveQuiz,
  launchQuiz,
  nextQuestion,
  overdueLiveQuestions,
  type LivePhase,
  type LiveQuizState,
} from './quizzes/live-run'
export { findPresentedTalk, requirePresenter, type PresentedTalk } from './quizzes/presenter'
export { answerLiveQuestion, databaseClockOffset, prepareLiveQuestion, type LiveAnswer, type LiveAnswerOutcome } from './quizzes/live-answers'
export {
  exportQuizAnswers,
  getLeaderboard,
  getQuestionStats,
  leaderboardOf,
  questionTally,
  type ExportedAnswer,
  type LeaderEntry,
  type Leaderboard,
  type QuestionStats,
  type QuizAnswersExport,
  type Tally,
} from './quizzes/results'
