"""The help center's articles, written from the product documents (Backstory pages, automatic
contact creation, the Query API metrics reference, and support). Every FAQ answer is its own article.

``seed_help_center`` (the data migration and the management command) loads these by slug.
"""

PAGES = "backstory-pages"
CONTACTS = "contact-creation"
QUERY_API = "query-api"
ASSISTANT = "assistant"
SUPPORT = "support"

ARTICLES: list[dict] = [
    # --- Backstory pages ---------------------------------------------------------------------
    {
        "slug": "backstory-pages",
        "topic": PAGES,
        "position": 1,
        "title": "Backstory pages",
        "summary": "A complete snapshot of everything happening within an account or opportunity, on one page.",
        "keywords": "account page, opportunity page, deal page, snapshot, overview, b360",
        "body": """Backstories give you a complete snapshot of everything happening within an Account or Opportunity all on one page. These pages, viewable in Backstory and your CRM, surface Account and Opportunity summaries including key topics discussed, logged next steps, and potential risks.

## What a Backstory page shows
- [Engagement level](/help/engagement-level/): a 0 to 100 score.
- [Account and deal summary](/help/account-and-deal-summary/): key topics, next steps and potential risks.
- [Engagement metrics](/help/engagement-metrics/): meetings, executives engaged, emails sent and received.
- [People metrics](/help/people-metrics/): activity and engagement for each person.
- [Backstory Assistant](/help/backstory-assistant/): ask questions about the account or opportunity in plain language.""",
    },
    {
        "slug": "accessing-backstory-pages",
        "topic": PAGES,
        "position": 2,
        "title": "Accessing Backstory pages",
        "summary": "Open a Backstory page from the Backstory search bar or from the Backstory tab in Salesforce.",
        "keywords": "open, find, search bar, salesforce tab, b360, embedded, where",
        "body": """Backstory pages are accessible in Backstory and as an embedded component within your CRM Account and Opportunity records.

## In Backstory
1. Log into Backstory.
2. Use the search bar in the top right corner to find an Account or Opportunity.
3. Select the Account or Opportunity from the search results.
4. The Backstory page will load as the default view.

## In Salesforce
1. Navigate to an Account or Opportunity record in Salesforce.
2. Click the Backstory tab.

Note: the tab may appear in Salesforce as "B360" (its previous name), or it may have another name depending on how your administrator configured it.""",
    },
    {
        "slug": "engagement-level",
        "topic": PAGES,
        "position": 3,
        "title": "Engagement level",
        "summary": "A 0 to 100 score based on the volume, type, and recency of matched activities over the last 12 weeks.",
        "keywords": "engagement score, wheel, green, red, 0 to 100, score, how is it calculated",
        "body": """The engagement level is near the top of the page and represented by a green or red wheel with a number in the center.

It is a 0 to 100 score based on the **volume, type, and recency** of matched activities over the last 12 weeks.

The score is calculated using all matched activities, including private ones, so it may reflect activity that is not visible to every user. See [Why does the engagement level look different from Salesforce?](/help/faq-engagement-level-differs/)""",
    },
    {
        "slug": "account-and-deal-summary",
        "topic": PAGES,
        "position": 4,
        "title": "Account and deal summary",
        "summary": "Key topics, next steps and potential risks, with bullets coloured by recency.",
        "keywords": "summary, key topics, next steps, potential risks, recency, colour, color, bullets, sidebar",
        "body": """The Account/Deal Summary shows key topics, next steps, and potential risks with color-coded bullets indicating the recency of the information.

- **Key Topics** cover the themes and topics discussed recently. Use it to spot customer priorities and identify conversations you still need to have.
- **Next Steps** show upcoming actions or tasks logged in your CRM. Use it as your action list to keep momentum.
- **Potential Risks** show activity-based warning signs (gaps in communication, missing stakeholders, stalled threads). Use it to resolve risks early.

A label at the top right of the full summary shows when the summary was last generated or the date of the most recent activity included in it.

## Bullet colours
The color of each bullet indicates the recency of the information relative to today's date: the last 7 days, last 14 days, last 30 days, and older than 30 days.

## The summary sidebar
Click any bullet to open a sidebar showing the specific activities that contributed to it, ordered by recency.""",
    },
    {
        "slug": "engagement-metrics",
        "topic": PAGES,
        "position": 5,
        "title": "Engagement metrics",
        "summary": "Meetings, executives engaged, and emails sent and received, over a period you choose.",
        "keywords": "metrics, meetings, emails sent, emails received, executives engaged, time period, dropdown",
        "body": """Engagement Metrics provide a detailed look into activity across the opportunity or account, including number of meetings, executives engaged, and emails sent and received.

You can adjust the time period of these metrics using the dropdown.""",
    },
    {
        "slug": "people-metrics",
        "topic": PAGES,
        "position": 6,
        "title": "People metrics",
        "summary": "Activity and engagement for each person on the account or opportunity, external and internal.",
        "keywords": "people, contacts, internal, external, seniority, department, time spent, buyer benchmarks, next meeting",
        "body": """People Metrics show activity and engagement for each person associated with the account or opportunity.

Use the external vs. internal dropdown to view external contacts (prospects and customers), or internal contributors (colleagues engaged in the deal). Sort contacts by engagement, seniority, time spent, or recently engaged. Filter by seniority and department.

## Click on a contact to view
- Contact information
- Engagement score
- Last activity
- Next meeting
- Activity summary
- Buyer benchmarks""",
    },
    {
        "slug": "faq-summary-shows-no-data",
        "topic": PAGES,
        "position": 20,
        "is_faq": True,
        "title": "What does it mean if the Account or Deal Summary shows no data?",
        "summary": "Usually there are no matched activities yet; allow 24 to 48 hours after initial setup.",
        "keywords": "empty summary, no data, blank, nothing shows, new account, syncing",
        "body": """If the Summary is empty, it typically means there are no matched activities for that Account or Opportunity yet.

This can happen with newly created Accounts or Opportunities or when CRM activity syncing is still in progress. Allow **24 to 48 hours** for data to populate after initial setup.""",
    },
    {
        "slug": "faq-contacts-missing-from-people",
        "topic": PAGES,
        "position": 21,
        "is_faq": True,
        "title": "Why are some contacts missing from the People section?",
        "summary": "Contacts appear only when they are matched to activities in Backstory.",
        "keywords": "missing contact, people section, not showing, domain settings, privacy",
        "body": """Contacts appear in the People section only when they are matched to activities in Backstory.

If a contact is missing, their communications may not have been matched due to email domain settings, data sync delays, or privacy configurations. Contact your Backstory administrator or [reach out to support](/help/support/) for help.""",
    },
    {
        "slug": "faq-engagement-level-differs",
        "topic": PAGES,
        "position": 22,
        "is_faq": True,
        "title": "Why does the Engagement Level in Backstory look different from what I see in Salesforce?",
        "summary": "The score counts all matched activities, including ones privacy settings hide from you.",
        "keywords": "engagement level different, salesforce, mismatch, privacy, private activities",
        "body": """Users may not see all activities in Backstory due to privacy settings.

The score is calculated using all matched activities, so it may reflect activity that is not visible to every user.""",
    },
    # --- Backstory Assistant -------------------------------------------------------------------
    {
        "slug": "backstory-assistant",
        "topic": ASSISTANT,
        "position": 1,
        "title": "Backstory Assistant",
        "summary": "Ask about an account or opportunity in plain language from the chat icon on every Backstory page.",
        "keywords": "assistant, chat, ai, ask, question, chat icon, virtual agent",
        "body": """The Backstory Assistant is a virtual agent available on every Backstory page. Click the chat icon in the top right corner of the page to open it.

## What you can ask
- Who are the decision makers? Who is the champion?
- What was discussed last week? What changed since March 3?
- What are the risks? What are the next steps?
- When is the next meeting? How many meetings did we have this quarter?
- Which emails are awaiting a reply? Were competitors mentioned? Was pricing discussed?
- Give me a summary for my manager.

Answers come only from that account's or opportunity's data, and every answer cites the activities, people and metrics it comes from. Activities you are not allowed to see (another rep's private meeting, for example) never appear in an answer. When the data has no answer, the assistant says so.

The assistant also answers questions about Backstory itself from this help center, at any hour.""",
    },
    # --- Contact creation ------------------------------------------------------------------------
    {
        "slug": "automatic-contact-creation",
        "topic": CONTACTS,
        "position": 1,
        "title": "Automatic contact creation",
        "summary": "Backstory creates new Salesforce contacts from your team's emails and meetings.",
        "keywords": "create contacts, new contact, salesforce, requirements, conditions, fields, owner, lead source",
        "body": """Automatic Contact Creation detects new contacts from your team's emails and meetings and creates them directly in Salesforce. When Backstory identifies an external contact that doesn't already exist in your CRM and has enough information to create a record, it pushes that contact to Salesforce automatically. Over time, Backstory continues to enrich those records as contact details like title, phone number, or email address change.

Prerequisites: your administrator must enable Contact Creation for the relevant Configuration Profile. Your administrator can also customize the required fields needed to create a contact.

## When Backstory creates a contact
- The contact or a matching lead record does not already exist in Salesforce.
- The activity includes the contact's first name, last name, and email address.
- The contact's email domain matches an existing account's primary or secondary domain.
- The user on the activity is the account owner, opportunity owner, or an account team member in Salesforce.

Note: if a lead with a matching email address is found, the activity is matched to the lead and no contact is created.

## Fields Backstory fills in
- First Name, Last Name, Email
- Title, Phone
- Department, Seniority, Persona (Backstory custom fields)
- Mailing Address (Country, State)
- Owner, Lead Source

New contacts are owned by the user whose activity triggered the creation. If that person isn't a Salesforce user, ownership defaults to the integration user.

## Timing
New contacts sync to Salesforce at the same time as activities. It can take **up to 2 hours** for a new contact to appear after an activity is captured. Avoid manually creating contacts during this window to prevent duplicates.

Contact creation is independent of activity sync: Backstory can create contacts from emails and meetings even if your organization does not sync all activity types to Salesforce.""",
    },
    {
        "slug": "opportunity-contact-role-creation",
        "topic": CONTACTS,
        "position": 2,
        "title": "Opportunity contact role creation (OCR)",
        "summary": "Backstory adds contact roles to open opportunities from emails and meetings.",
        "keywords": "ocr, contact role, opportunity contact role, first ocr, new ocr, multi-opportunity matching",
        "body": """Backstory administrators can enable Contact Role Creation (OCR) in Configuration Profiles. Once enabled, Backstory creates Opportunity Contact Roles in Salesforce from emails and meetings and appends them to the appropriate open Opportunities.

Note: for automatic OCR creation to work, the Opportunity must have at least one manually created Opportunity Contact Role, or your organization can choose to enable First OCR instead.

## Backstory creates an OCR when all of these are true
- At least one participant exists as a contact on an account and also exists as a Contact Role on an open Opportunity associated with that Account.
- The other participants do not already exist as Contact Roles on that Opportunity.
- The participants' email domains match the Account's domain.

If the other participants exist as contacts on the Account, Backstory creates Contact Roles for them. If they do not, Backstory first creates contacts on the Account and then creates Contact Roles on the open Opportunity.

Backstory will not add participants as Contact Roles on a closed Opportunity, and will not add participants to the same Opportunity as Contact Roles if their domains do not match.

## First OCR
First OCR allows Backstory to create the very first Opportunity Contact Role on an Opportunity, even when none exist yet. First OCR can only create a Contact Role when there is exactly one possible Opportunity match for the activity.

## New OCR
New OCR allows Backstory to create additional contact roles on an Opportunity regardless of whether an existing OCR is involved in the activity.

## Multi-Opportunity Matching
When Multi-Opportunity Matching is enabled, Backstory creates OCRs across all matched Opportunities when an activity matches more than one.""",
    },
    {
        "slug": "contact-enrichment",
        "topic": CONTACTS,
        "position": 3,
        "title": "Contact enrichment",
        "summary": "Keep manually created contacts evergreen: always update, update only if empty, or never update each field.",
        "keywords": "enrichment, update contact, title, phone, always update, only if empty, never update, evergreen",
        "body": """By default, Backstory does not update the standard fields of contact records that were created manually in your CRM. With Contact Enrichment enabled, Backstory keeps those records evergreen by refreshing field values as new information is observed in your team's activity data.

Prerequisites: your administrator must work with Backstory to enable Contact Enrichment and configure which fields are eligible for updates.

## Field policies
- **Always update**: Backstory overwrites the existing value whenever new information for the field is observed.
- **Update only if empty**: Backstory writes a value only when the field is currently blank.
- **Never update**: Backstory ignores the field and never modifies it.

Contact Owner is not updated by Contact Enrichment. The Persona, Department, and Seniority fields can also be controlled by separate enrichment settings: if either is configured to update one of these fields, Backstory updates it.""",
    },
    {
        "slug": "view-contacts-created-by-backstory",
        "topic": CONTACTS,
        "position": 4,
        "title": "View contacts created by Backstory",
        "summary": "Run a Salesforce Contacts & Accounts report filtered on Created By Backstory.",
        "keywords": "report, created by backstory, salesforce report, list contacts",
        "body": """Prerequisites: you must have permission to create reports in Salesforce.

1. In Salesforce, navigate to Reports.
2. Click New Report.
3. Click the Contacts & Accounts report type.
4. Click Start Report.
5. Click the Filters tab.
6. In the Add filter field, search "Created by Backstory" and click the field to add it.
7. In the Created By Backstory dropdown, select True.
8. Click Apply.
9. Click Run.""",
    },
    {
        "slug": "faq-how-long-for-a-new-contact",
        "topic": CONTACTS,
        "position": 20,
        "is_faq": True,
        "title": "How long does it take for a new contact to appear in Salesforce?",
        "summary": "Up to 2 hours after the triggering activity is captured.",
        "keywords": "how long, time, delay, appear, sync, new contact, salesforce, 2 hours, two hours, wait",
        "body": """It can take **up to 2 hours** for a new contact to appear in Salesforce after the triggering activity is captured.

Avoid manually creating contacts during this window to prevent duplicates. See [Automatic contact creation](/help/automatic-contact-creation/).""",
    },
    {
        "slug": "faq-contact-missing-name-or-email",
        "topic": CONTACTS,
        "position": 21,
        "is_faq": True,
        "title": "What happens if a contact is missing a first name, last name, or email?",
        "summary": "Backstory will not create the contact: these three fields are the minimum.",
        "keywords": "missing first name, last name, email, required fields, not created",
        "body": """Backstory will not create the contact. These three fields are the minimum required to create a record.

Your administrator can configure additional required fields.""",
    },
    {
        "slug": "faq-contact-owner",
        "topic": CONTACTS,
        "position": 22,
        "is_faq": True,
        "title": "Who is assigned as the contact owner?",
        "summary": "The user whose activity triggered the creation, or the integration user.",
        "keywords": "owner, owns, who owns, contact owner, integration user, assigned",
        "body": """The contact is owned by the user whose activity triggered its creation.

If that person doesn't have a Salesforce user account, ownership defaults to the integration user.""",
    },
    {
        "slug": "faq-lead-already-exists",
        "topic": CONTACTS,
        "position": 23,
        "is_faq": True,
        "title": "What happens if a Lead already exists for the external participant?",
        "summary": "The activity is matched to the Lead and no contact is created.",
        "keywords": "lead, existing lead, lead match, no contact created",
        "body": """If a Lead with an exact email match is found in Salesforce, Backstory matches the activity to that Lead instead of creating a new contact.

Contact creation only occurs when neither a contact nor a Lead exists for the participant.""",
    },
    {
        "slug": "faq-contact-synced-by-mistake",
        "topic": CONTACTS,
        "position": 24,
        "is_faq": True,
        "title": "What if a contact was synced to Salesforce that shouldn't have been?",
        "summary": "Remove it with the Engagement Log; keep Local Filters up to date to prevent it.",
        "keywords": "wrong contact, remove contact, engagement log, local filters, unwanted",
        "body": """You can use the Engagement Log to remove it.

Keeping your Local Filters up-to-date can also help prevent unwanted contacts from syncing in the future.""",
    },
    {
        "slug": "faq-duplicate-contacts",
        "topic": CONTACTS,
        "position": 25,
        "is_faq": True,
        "title": "How does Backstory prevent the creation of duplicate contacts in Salesforce?",
        "summary": "A daily de-duplication removes extra contacts Backstory created and remaps their activities.",
        "keywords": "duplicates, duplicate contacts, de-duplication, dedupe, merge, daily",
        "body": """Backstory automatically removes duplicate contacts via an automated daily de-duplication process.

Only contacts created by Backstory are eligible for deletion. When duplicates are found, Backstory deletes the extra records and remaps their activities to the earliest valid contact.""",
    },
    {
        "slug": "faq-contact-creation-without-activity-sync",
        "topic": CONTACTS,
        "position": 26,
        "is_faq": True,
        "title": "Does contact creation require activity sync to be enabled?",
        "summary": "No: contact creation is independent of activity sync.",
        "keywords": "activity sync, independent, sync disabled",
        "body": """No. Contact creation is independent of activity sync.

Backstory can create contacts from emails and meetings even if not all activity types are synced to Salesforce.""",
    },
    {
        "slug": "faq-contact-updates-after-creation",
        "topic": CONTACTS,
        "position": 27,
        "is_faq": True,
        "title": "Can Backstory update contact information after the record is created?",
        "summary": "Yes: it keeps enriching the contacts it created.",
        "keywords": "update, enrich, title change, phone change, after creation",
        "body": """Yes. Backstory continues to enrich contacts it has created over time as details like title, phone number, email address, or last name change.

For contacts created manually, see [Contact enrichment](/help/contact-enrichment/).""",
    },
    # --- Query API ---------------------------------------------------------------------------------
    {
        "slug": "query-api-overview",
        "topic": QUERY_API,
        "position": 1,
        "title": "Query API overview",
        "summary": "Sales and engagement data through three objects: Accounts, Opportunities and Users.",
        "keywords": "query api, api, objects, accounts, opportunities, users, variation_id, slug",
        "body": """Query API gives you access to sales and engagement data through three core objects: Accounts, Opportunities, and Users.

- **Account**: company-level data and metrics (account health, pipeline value, engagement trends).
- **Opportunity**: deal-level data and metrics (pipeline analysis, deal velocity, stage progression).
- **User**: sales rep and team member data (performance tracking, activity metrics, quota attainment).

## Important: time-based metric syntax
When using metrics with time periods, you MUST use the full slug + time period as the variation_id. The pattern is `{base_slug}_{time_period}`.

- Correct: `"variation_id": "ootb_user_count_emails_sent_last_30_days"`
- Wrong: `"variation_id": "last_30_days"`

See [Metric variations](/help/query-api-variations/).""",
    },
    {
        "slug": "query-api-account-metrics",
        "topic": QUERY_API,
        "position": 2,
        "title": "Query API: account metrics",
        "summary": "Account fields, health and scoring, activity, pipeline and engagement trend metrics.",
        "keywords": "ootb_account_engagement_level, ootb_emails_sent, ootb_meetings_held, pipeline, churn risk, account fields",
        "body": """## Core account fields
- `ootb_account_crm_id`, `ootb_account_name`, `crm_account_owner`, `account_domain`, `industry`, `company_size`, `annual_revenue`, `account_tier`

## Health and scoring
- `ootb_account_engagement_level`: overall engagement level, 0-100 (last_30_days, last_90_days, current_quarter)
- `ootb_relationship_strength`, `ootb_buying_intent_score`, `ootb_churn_risk_score`: 0-100, current

## Activity
- `ootb_emails_sent`, `ootb_emails_received`, `ootb_meetings_held`, `ootb_calls_made` (last_7_days, last_30_days, current_quarter, current_year)
- `ootb_last_activity_days`, `ootb_last_activity_date` (current)
- `ootb_response_rate` (last_30_days, current_quarter)

## Pipeline
- `ootb_total_pipeline_value`, `ootb_open_pipeline_value`, `ootb_average_deal_size` (current)
- `ootb_won_pipeline_value`, `ootb_lost_pipeline_value` (current_quarter, current_year, last_quarter)
- `ootb_opportunity_count` (total, open, won, lost)

## Engagement trends
- `ootb_engagement_trend` (increasing, stable, declining), `ootb_activity_frequency` (high, medium, low)
- `ootb_multi_threading_score`, `ootb_executive_engagement`""",
    },
    {
        "slug": "query-api-opportunity-metrics",
        "topic": QUERY_API,
        "position": 3,
        "title": "Query API: opportunity metrics",
        "summary": "Opportunity fields, stage and status, scoring and prediction, and activity metrics.",
        "keywords": "ootb_opportunity_stage, win probability, deal velocity, champion identified, opportunity fields",
        "body": """## Core opportunity fields
- `crm_opportunity_id`, `crm_opportunity_name`, `crm_account_id`, `crm_account_name`, `opportunity_owner`, `opportunity_value`, `expected_close_date`, `actual_close_date`

## Stage and status
- `ootb_opportunity_stage`, `ootb_stage_probability`, `ootb_days_in_current_stage`, `ootb_total_sales_cycle_days`, `ootb_stage_progression_velocity`

## Scoring and prediction (0-100)
- `ootb_win_probability_score`, `ootb_deal_velocity_score`, `ootb_competition_risk_score`, `ootb_budget_confirmed_score`

## Activity
- `ootb_emails_sent_opp`, `ootb_meetings_held_opp` (total, last_30_days)
- `ootb_last_meaningful_activity_date`, `ootb_stakeholder_engagement_count`, `ootb_champion_identified`""",
    },
    {
        "slug": "query-api-user-metrics",
        "topic": QUERY_API,
        "position": 4,
        "title": "Query API: user metrics",
        "summary": "User fields, activity, performance and engagement metrics.",
        "keywords": "ootb_user_count_emails_sent, ootb_meetings_booked, quota attainment, win rate, user fields",
        "body": """## Core user fields
- `crm_user_id`, `user_name`, `user_email`, `user_role`, `team_name`, `manager_name`, `hire_date`

## Activity
- `ootb_emails_sent_user`, `ootb_emails_received_user` (daily, weekly, monthly, quarterly); `ootb_user_count_emails_sent` is an alias of emails sent
- `ootb_meetings_booked` (weekly, monthly, quarterly), `ootb_calls_made_user` (daily, weekly, monthly), `ootb_activities_logged` (weekly, monthly, quarterly)

## Performance
- `ootb_pipeline_generated`, `ootb_opportunities_created`, `ootb_deals_won`, `ootb_revenue_generated`, `ootb_quota_attainment` (monthly, quarterly, yearly); `ootb_win_rate` (quarterly, yearly)

## Engagement
- `ootb_response_rate_user`, `ootb_meeting_acceptance_rate`, `ootb_account_penetration`, `ootb_new_contact_creation` (monthly, quarterly)""",
    },
    {
        "slug": "query-api-custom-metrics",
        "topic": QUERY_API,
        "position": 5,
        "title": "Query API: custom metrics",
        "summary": "Organization-specific metrics: custom_account_, custom_opportunity_, custom_user_ and derived_ slugs.",
        "keywords": "custom metrics, custom_account, derived, metrics library, discover metrics",
        "body": """In addition to out-of-the-box metrics, the Query API provides access to organization-specific metrics created in your Backstory instance.

## Naming patterns
- Custom Account Metrics: `custom_account_{metric_name}`
- Custom Opportunity Metrics: `custom_opportunity_{metric_name}`
- Custom User Metrics: `custom_user_{metric_name}`
- Derived Metrics: `derived_{object}_{metric_name}`

## Discovering available metrics
- Contact your Backstory administrator: they can provide a complete list of configured metrics.
- Use the Backstory web interface: browse Reports, then Metrics Library.""",
    },
    {
        "slug": "query-api-variations",
        "topic": QUERY_API,
        "position": 6,
        "title": "Query API: metric variations and data types",
        "summary": "Time-based variation ids, and how strings, numbers, booleans, dates and nulls are written.",
        "keywords": "variation, variation_id, last_30_days, current_quarter, data types, null, exists, date format",
        "body": """Many metrics support time-based variations. The variation_id must be the full slug + time period (e.g. `ootb_emails_sent_last_30_days`), not just the time period alone.

## Common variation ids
- `current`: current/latest value (all objects)
- `last_7_days`, `last_30_days`, `last_90_days`: rolling periods (Account, User)
- `current_week`: current calendar week (User)
- `current_month`, `current_quarter`, `current_year`: current calendar month, fiscal quarter, fiscal year (all objects)
- `last_month`, `last_quarter`, `last_year`: the previous month, fiscal quarter, fiscal year (all objects)

## Data types
- String: text values, quoted in filters
- Number: numeric values, no quotes
- Boolean: `true` / `false`, lowercase, no quotes
- Date: ISO format (YYYY-MM-DD)
- Array: used with `$in` / `$nin`

## Special values
- Null values: `{"$exists": false}`
- Empty strings: `{"$eq": ""}`
- Zero values: `{"$eq": 0}`""",
    },
    {
        "slug": "query-api-best-practices",
        "topic": QUERY_API,
        "position": 7,
        "title": "Query API: best practices",
        "summary": "Request only the metrics you need, filter early, validate slugs.",
        "keywords": "best practices, performance, filters, sort, batch queries",
        "body": """## Metric selection
- Request only needed metrics, to minimize response size and processing time.
- Use appropriate variations for your analysis.
- Combine logically related metrics in single queries.

## Performance
- Filter early: apply restrictive filters to reduce data volume.
- Sort by CRM ids when possible.
- Batch related queries.

## Data quality
- Validate metric slugs: ensure all referenced metrics exist in your instance.
- Handle missing data: account for null and empty values.
- Understand metric definitions before relying on them.""",
    },
    # --- Support ----------------------------------------------------------------------------------
    {
        "slug": "contact-support",
        "topic": SUPPORT,
        "position": 1,
        "title": "Contacting Backstory support",
        "summary": "In-app chat, email and the help center; human support Monday to Friday, 9:00 AM to 5:00 PM Pacific.",
        "keywords": "support, help, contact, chat, email, hours, support hours, open, pacific time",
        "body": """Backstory offers technical support through in-app chat, email, and self-service resources. Our team can help with troubleshooting, product guidance, configuration questions, and feature requests.

Note: for help with user management or permissions, please contact your organization's Backstory administrator.

## In-app chat
Ideal for urgent issues, quick questions, and real-time assistance. Use the chat icon in the top-right corner of the Backstory app.
- Human support: Monday to Friday, 9:00 AM to 5:00 PM (Pacific Time)
- Automated chat (the Backstory Assistant): available 24/7

## Email and support requests
Best for non-urgent requests, detailed inquiries, and follow-ups. Email support@backstory.ai or [send a support request](/help/support/) at any time; support hours are Monday to Friday, 9:00 AM to 5:00 PM (Pacific Time).

## What to include
- A brief description of the issue
- Account or workspace details
- Steps to reproduce the issue
- Screenshots or error messages
- Activity ID (if applicable)""",
    },
    {
        "slug": "help-center",
        "topic": SUPPORT,
        "position": 2,
        "title": "Using the help center",
        "summary": "Browse articles by topic or search for specific questions and features.",
        "keywords": "help center, articles, browse, search",
        "body": """The Help Center is your go-to resource for learning about the platform and resolving common issues.

- Browse articles by topic.
- Search for specific questions or features.""",
    },
    {
        "slug": "support-response-times",
        "topic": SUPPORT,
        "position": 3,
        "title": "Support response times",
        "summary": "Requests are prioritized by urgency and business impact.",
        "keywords": "response time, priority, urgency, how long, sla",
        "body": """Support requests are prioritized based on urgency and business impact. Higher-impact issues are typically addressed more quickly, while lower-impact requests may take longer.

Response and resolution times can vary depending on:
- Issue complexity
- Quality of information provided
- Current support volume

We provide updates as progress is made or new information becomes available.""",
    },
    {
        "slug": "support-scope",
        "topic": SUPPORT,
        "position": 4,
        "title": "What support covers",
        "summary": "Troubleshooting, product questions and best practices; not custom development or training.",
        "keywords": "scope, covered, not covered, custom development, training",
        "body": """## Backstory Support is focused on
- Troubleshooting platform functionality
- Answering product-related questions
- Providing best practice guidance

## Support does not include
- Custom development
- Large-scale system changes
- Troubleshooting third-party tools
- Hands-on configuration or implementation without admin approval
- Training services or on-site support
- Assistance for expired subscriptions or end-of-life products""",
    },
]
