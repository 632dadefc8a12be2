// The gateway's VideoTask shape for the reference servers, answered from memory.
export const typeDefs = /* GraphQL */ `
  enum VideoTaskStatus { SUBMITTED QUEUED IN_PROGRESS SUCCESS FAILURE UNKNOWN }
  type VideoTask {
    id: ID!
    status: VideoTaskStatus!
    progress: Int!
    videoUrl: String
    error: String
    submittedAt: String
    startedAt: String
    finishedAt: String
    action: String
    upstreamStatus: String!
  }
`;

export const finishedTask = (id: string) => ({
  id,
  status: 'SUCCESS',
  progress: 100,
  videoUrl: `https://cdn.example.com/${id}.mp4`,
  error: null,
  submittedAt: '2024-01-15T16:00:00.000Z',
  startedAt: '2024-01-15T16:00:10.000Z',
  finishedAt: '2024-01-15T16:02:00.000Z',
  action: 'generate',
  upstreamStatus: 'success',
});
