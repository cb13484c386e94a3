import { APP_SCOPES } from '../../db/access/apps'

/** The API described for developers (OpenAPI 3.0), served at /api/v1/openapi.json. */
export function openApiDocument(publicUrl = '') {
  const error = { $ref: '#/components/schemas/Error' }
  const errors = {
    '401': { description: 'The token is missing, expired, revoked, or its app is suspended.', content: { 'application/json': { schema: error } } },
    '403': { description: 'The member did not grant the scope this call needs.', content: { 'application/json': { schema: error } } },
    '429': { description: 'Too many requests for this app or this member.', content: { 'application/json': { schema: error } } },
  }
  const ok = (description: string, schema: object) => ({ '200': { description, content: { 'application/json': { schema } } }, ...errors })
  const talk = {
    type: 'object',
    required: ['id', 'title', 'startsAt', 'status'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      title: { type: 'string' },
      type: { type: 'string', enum: ['talk', 'case_discussion', 'surgery', 'quiz'] },
      startsAt: { type: 'string', format: 'date-time' },
      durationMinutes: { type: 'integer' },
      status: { type: 'string', enum: ['scheduled', 'live', 'ended'] },
      club: { type: 'object', properties: { slug: { type: 'string' }, name: { type: 'string' } } },
    },
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Rounds API',
      version: '1.0.0',
      description: 'Read a member’s Rounds data and act for them, with the permissions they granted. See docs/apps.md.',
    },
    servers: [{ url: `${publicUrl}/api/v1` }],
    security: [{ oauth: [] }],
    components: {
      securitySchemes: {
        oauth: {
          type: 'oauth2',
          description: 'Authorization code with PKCE (S256). Access tokens last an hour; refresh tokens rotate on each use.',
          flows: {
            authorizationCode: {
              authorizationUrl: `${publicUrl}/oauth/auth`,
              tokenUrl: `${publicUrl}/oauth/token`,
              refreshUrl: `${publicUrl}/oauth/token`,
              scopes: { ...APP_SCOPES },
            },
          },
        },
      },
      schemas: {
        Error: { type: 'object', required: ['error', 'message'], properties: { error: { type: 'string' }, message: { type: 'string' } } },
        Talk: talk,
      },
    },
    paths: {
      '/me': {
        get: {
          summary: 'The member: always their id; name, photo and speciality with `profile`; verified yes/no with `verified`.',
          operationId: 'getMe',
          security: [{ oauth: ['openid'] }],
          responses: ok('The member', {
            type: 'object',
            required: ['id'],
            properties: {
              id: { type: 'string' },
              handle: { type: 'string' },
              name: { type: 'string' },
              photoUrl: { type: 'string', nullable: true },
              speciality: { type: 'string', nullable: true },
              verified: { type: 'boolean' },
            },
          }),
        },
      },
      '/me/talks': {
        get: {
          summary: 'Talks the member said they are going to, and talks they attended with minutes.',
          operationId: 'getMyTalks',
          security: [{ oauth: ['talks:read'] }],
          responses: ok('The member’s talks', {
            type: 'object',
            properties: {
              going: { type: 'array', items: { $ref: '#/components/schemas/Talk' } },
              attended: {
                type: 'array',
                items: { type: 'object', properties: { id: { type: 'string', nullable: true }, title: { type: 'string' }, club: { type: 'string' }, heldAt: { type: 'string' }, minutes: { type: 'integer' } } },
              },
            },
          }),
        },
      },
      '/me/certificates': {
        get: {
          summary: 'The member’s attendance certificates.',
          operationId: 'getMyCertificates',
          security: [{ oauth: ['certificates:read'] }],
          responses: ok('Certificates', {
            type: 'array',
            items: {
              type: 'object',
              properties: { id: { type: 'string' }, talk: { type: 'string' }, club: { type: 'string' }, heldAt: { type: 'string' }, minutes: { type: 'integer' }, credits: { type: 'string', nullable: true }, issuedAt: { type: 'string' } },
            },
          }),
        },
      },
      '/me/clubs': {
        get: {
          summary: 'The member’s public clubs, and the private clubs they chose to share with this app.',
          operationId: 'getMyClubs',
          security: [{ oauth: ['clubs:read'] }],
          responses: ok('Clubs', {
            type: 'array',
            items: {
              type: 'object',
              properties: { slug: { type: 'string' }, name: { type: 'string' }, visibility: { type: 'string', enum: ['public', 'private'] }, role: { type: 'string' }, memberCount: { type: 'integer' } },
            },
          }),
        },
      },
      '/people/{handle}': {
        get: {
          summary: 'Another doctor, as the member sees them: a private profile is only a basic card.',
          operationId: 'getPerson',
          security: [{ oauth: ['profile'] }],
          parameters: [{ name: 'handle', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            ...ok('The doctor', {
              type: 'object',
              properties: {
                handle: { type: 'string' },
                name: { type: 'string' },
                photoUrl: { type: 'string', nullable: true },
                speciality: { type: 'string', nullable: true },
                city: { type: 'string', nullable: true },
                bio: { type: 'string', nullable: true },
                interests: { type: 'array', items: { type: 'string' } },
                full: { type: 'boolean' },
              },
            }),
            '404': { description: 'No such doctor, or not one the member may see.', content: { 'application/json': { schema: error } } },
          },
        },
      },
      '/talks/{id}/rsvp': {
        post: {
          summary: 'Say the member is going to a talk (or no longer going).',
          operationId: 'rsvp',
          security: [{ oauth: ['rsvp:write'] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object', required: ['going'], properties: { going: { type: 'boolean' } }, additionalProperties: false } } },
          },
          responses: {
            ...ok('The member’s answer', { type: 'object', properties: { id: { type: 'string' }, going: { type: 'boolean' } } }),
            '400': { description: 'The body is not {"going": boolean}.', content: { 'application/json': { schema: error } } },
            '404': { description: 'No such talk, or not one the member may see.', content: { 'application/json': { schema: error } } },
            '409': { description: 'The talk ended or was cancelled.', content: { 'application/json': { schema: error } } },
          },
        },
      },
    },
  }
}
