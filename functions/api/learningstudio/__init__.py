"""LearningStudio user exams (../shared/seeds/reset-exam-for-user-guide.txt): begin, list, retake, reset, restore.
Answer shapes: docs/learningstudio.md."""
