import { sql } from 'drizzle-orm'
import { bigserial, boolean, date, index, integer, pgEnum, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core'
import { users } from './users'

/*
 * Advertising (docs/ads.md, decision 032). Advertisers are organisations approved by staff;
 * their campaigns are reviewed before they run. What a member was shown or clicked is kept
 * per person only for a short window (ad_events), then only as daily totals (ad_daily_stats).
 */

export const advertiserStatus = pgEnum('advertiser_status', ['pending', 'approved', 'rejected'])

export const advertisers = pgTable('advertisers', {
  id: text('id').primaryKey(),
  /** The organisation's name as staff approved it. */
  name: text('name').notNull(),
  website: text('website').notNull(),
  status: advertiserStatus('status').notNull().default('pending'),
  createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  decidedBy: text('decided_by').references(() => users.id, { onDelete: 'set null' }),
  decidedAt: timestamp('decided_at', { withTimezone: true }),
})

/** The Rounds accounts that act for an advertiser. */
export const advertiserMembers = pgTable(
  'advertiser_members',
  {
    advertiserId: text('advertiser_id')
      .notNull()
      .references(() => advertisers.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.advertiserId, t.userId] }), index('advertiser_members_user_idx').on(t.userId)],
)

/**
 * `paused` and `ended` are the advertiser's: a paused campaign resumes as approved; an ended one
 * never runs or changes again and stays readable with its reports (db/ads/campaign-state.ts).
 */
export const adCampaignStatus = pgEnum('ad_campaign_status', ['pending_review', 'approved', 'rejected', 'paused', 'ended'])

export const adCampaigns = pgTable(
  'ad_campaigns',
  {
    id: text('id').primaryKey(),
    advertiserId: text('advertiser_id')
      .notNull()
      .references(() => advertisers.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    headline: text('headline').notNull(),
    body: text('body').notNull(),
    /** File name in the uploads directory (a re-encoded WebP). */
    imagePath: text('image_path').notNull(),
    imageAlt: text('image_alt').notNull(),
    /** Always https. */
    landingUrl: text('landing_url').notNull(),
    /** Shown as "Sponsored by …" on every ad. */
    sponsorName: text('sponsor_name').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    /** Most impressions a day, across Rounds. */
    dailyCap: integer('daily_cap').notNull(),
    /** Contextual: the club a page belongs to, or that the member is in. */
    targetClubIds: text('target_club_ids').array().notNull().default(sql`'{}'::text[]`),
    /** Contextual: a speciality of the page (a club's specialities). */
    targetPageSpecialities: text('target_page_specialities').array().notNull().default(sql`'{}'::text[]`),
    /** Contextual: a topic of a talk on the page. */
    targetTopics: text('target_topics').array().notNull().default(sql`'{}'::text[]`),
    /** Declared fact: the speciality on the member's profile. */
    audienceSpecialities: text('audience_specialities').array().notNull().default(sql`'{}'::text[]`),
    /** Interest-based: inferred interest keys; only with personalised ads on and targeting cookies accepted. */
    targetInterests: text('target_interests').array().notNull().default(sql`'{}'::text[]`),
    /** Declared fact: only doctors whose registration staff verified. */
    verifiedOnly: boolean('verified_only').notNull().default(false),
    /** Promotes a prescription medicine: shown to verified doctors only, whatever else is chosen. */
    prescriptionDrug: boolean('prescription_drug').notNull().default(false),
    status: adCampaignStatus('status').notNull().default('pending_review'),
    reviewNote: text('review_note'),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    reviewedBy: text('reviewed_by').references(() => users.id, { onDelete: 'set null' }),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
  },
  (t) => [
    index('ad_campaigns_advertiser_idx').on(t.advertiserId, t.createdAt),
    index('ad_campaigns_running_idx').on(t.endsAt).where(sql`status = 'approved'`),
  ],
)

export const adEventKind = pgEnum('ad_event_kind', ['impression', 'click'])

/**
 * One impression or click, kept until the roll-up window passes (db/ads/rollup.ts). A member who
 * objected to analytics has no user_id here: only a token from a salt of the day that is deleted
 * once the day is over, so the day's distinct count works and nothing links the rows to them after.
 */
export const adEvents = pgTable(
  'ad_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    campaignId: text('campaign_id')
      .notNull()
      .references(() => adCampaigns.id, { onDelete: 'cascade' }),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    dayToken: text('day_token').notNull(),
    kind: adEventKind('kind').notNull(),
    placement: text('placement').notNull(),
    sponsorName: text('sponsor_name').notNull(),
    /** Coarse facts for the breakdowns, read when the event is written. */
    speciality: text('speciality'),
    region: text('region'),
    day: date('day', { mode: 'string' }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('ad_events_day_idx').on(t.day, t.campaignId), index('ad_events_user_idx').on(t.userId)],
)

/** A random salt per day for the day tokens; deleted by the roll-up once the day is over. */
export const adDaySalts = pgTable('ad_day_salts', {
  day: date('day', { mode: 'string' }).primaryKey(),
  salt: text('salt').notNull(),
})

/**
 * Daily totals per campaign: dimension 'all' (value ''), 'speciality' and 'region'. Reach is
 * distinct members that day. Reports apply the threshold and suppression when read.
 */
export const adDailyStats = pgTable(
  'ad_daily_stats',
  {
    campaignId: text('campaign_id')
      .notNull()
      .references(() => adCampaigns.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    dimension: text('dimension').notNull(),
    value: text('value').notNull(),
    reach: integer('reach').notNull(),
    impressions: integer('impressions').notNull(),
    clicks: integer('clicks').notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.day, t.dimension, t.value] })],
)

/** Impressions so far today per campaign, for the daily cap; kept only a few days. */
export const adCapCounters = pgTable(
  'ad_cap_counters',
  {
    campaignId: text('campaign_id')
      .notNull()
      .references(() => adCampaigns.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    impressions: integer('impressions').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.day] })],
)

/** "Hide this advertiser": never shown to this member again. */
export const adHiddenAdvertisers = pgTable(
  'ad_hidden_advertisers',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    advertiserId: text('advertiser_id')
      .notNull()
      .references(() => advertisers.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.advertiserId] })],
)

/** Days already rolled up into ad_daily_stats: each completed day is rolled up once. */
export const adRollups = pgTable('ad_rollups', {
  day: date('day', { mode: 'string' }).primaryKey(),
  rolledAt: timestamp('rolled_at', { withTimezone: true }).notNull().defaultNow(),
})
