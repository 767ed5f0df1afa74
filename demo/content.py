"""Words the demo org is made of: people, companies, titles and sales conversations."""

INTERNAL_COMPANY = "Lumen Analytics"
INTERNAL_DOMAIN = "lumen-analytics.com"
PRODUCT = "Lumen"

FIRST_NAMES = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "James",
    "Isabella",
    "Lucas",
    "Mia",
    "Mateo",
    "Amelia",
    "Benjamin",
    "Harper",
    "Henry",
    "Evelyn",
    "Theodore",
    "Abigail",
    "Jack",
    "Emily",
    "Levi",
    "Ella",
    "Alexander",
    "Elizabeth",
    "Daniel",
    "Camila",
    "Michael",
    "Luna",
    "Samuel",
    "Sofia",
    "Sebastian",
    "Avery",
    "David",
    "Scarlett",
    "Joseph",
    "Priya",
    "Arjun",
    "Mei",
    "Wei",
    "Hiroshi",
    "Yuki",
    "Fatima",
    "Omar",
    "Aisha",
    "Carlos",
    "Lucia",
    "Diego",
    "Ingrid",
    "Lars",
    "Chloe",
    "Marcus",
    "Nadia",
    "Tomasz",
    "Anika",
    "Rafael",
    "Grace",
    "Owen",
    "Zoe",
    "Nathan",
    "Hannah",
    "Ethan",
    "Leah",
    "Ryan",
    "Maya",
    "Adrian",
    "Clara",
    "Victor",
]
LAST_NAMES = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Patel",
    "Shah",
    "Chen",
    "Wang",
    "Kim",
    "Tanaka",
    "Novak",
    "Schmidt",
    "Larsen",
    "Okafor",
    "Haddad",
    "O'Brien",
    "Kowalski",
    "Rossi",
    "Dubois",
]

# (name, primary domain, secondary domains, industry, employees, tier, state, country)
COMPANIES = [
    (
        "Northwind Logistics",
        "northwindlogistics.com",
        ["northwind.io"],
        "Logistics",
        4200,
        "Enterprise",
        "WA",
        "US",
    ),
    (
        "Globex Corporation",
        "globex.com",
        ["globex-europe.com"],
        "Manufacturing",
        18000,
        "Enterprise",
        "IL",
        "US",
    ),
    ("Initech", "initech.com", [], "Technology", 950, "Mid-Market", "TX", "US"),
    (
        "Umbrella Health",
        "umbrellahealth.com",
        ["umbrella-labs.com"],
        "Healthcare",
        7600,
        "Enterprise",
        "MA",
        "US",
    ),
    ("Stark Industrial", "starkindustrial.com", [], "Manufacturing", 12500, "Enterprise", "NY", "US"),
    (
        "Wayne Financial",
        "waynefinancial.com",
        ["wayne-fs.com"],
        "Financial Services",
        9800,
        "Enterprise",
        "NJ",
        "US",
    ),
    ("Acme Retail Group", "acmeretail.com", ["acme-stores.com"], "Retail", 22000, "Enterprise", "OH", "US"),
    ("Hooli", "hooli.com", ["hooli.xyz"], "Technology", 31000, "Enterprise", "CA", "US"),
    ("Pied Piper", "piedpiper.com", [], "Technology", 140, "SMB", "CA", "US"),
    ("Vandelay Industries", "vandelay.com", [], "Manufacturing", 610, "Mid-Market", "NY", "US"),
    ("Soylent Foods", "soylentfoods.com", [], "Consumer Goods", 2300, "Mid-Market", "MN", "US"),
    ("Cyberdyne Systems", "cyberdyne.io", ["cyberdyne.com"], "Technology", 5200, "Enterprise", "CA", "US"),
    ("Tyrell Biotech", "tyrellbio.com", [], "Healthcare", 1800, "Mid-Market", "MD", "US"),
    ("Oscorp Energy", "oscorpenergy.com", [], "Energy", 6400, "Enterprise", "TX", "US"),
    (
        "Massive Dynamic",
        "massivedynamic.com",
        ["md-research.com"],
        "Technology",
        14000,
        "Enterprise",
        "MA",
        "US",
    ),
    ("Gekko & Co", "gekkoco.com", [], "Financial Services", 380, "Mid-Market", "NY", "US"),
    ("Bluth Homes", "bluthhomes.com", [], "Real Estate", 220, "SMB", "CA", "US"),
    ("Dunder Mifflin Paper", "dundermifflin.com", [], "Distribution", 1100, "Mid-Market", "PA", "US"),
    ("Prestige Worldwide", "prestigeworldwide.com", [], "Media", 90, "SMB", "CA", "US"),
    (
        "Wonka Confections",
        "wonka.com",
        ["wonkafactory.com"],
        "Consumer Goods",
        3100,
        "Mid-Market",
        "WI",
        "US",
    ),
    ("Aperture Science", "aperturescience.com", [], "Research", 2600, "Mid-Market", "MI", "US"),
    ("Black Mesa Research", "blackmesa.org", [], "Research", 4100, "Enterprise", "NM", "US"),
    (
        "Nakatomi Trading",
        "nakatomi.co.jp",
        ["nakatomi.com"],
        "Financial Services",
        8800,
        "Enterprise",
        "",
        "JP",
    ),
    ("Rekall Travel", "rekalltravel.com", [], "Travel", 540, "Mid-Market", "FL", "US"),
    ("Monarch Airlines", "monarchair.co.uk", [], "Transportation", 5600, "Enterprise", "", "GB"),
    ("Sirius Cybernetics", "siriuscyber.com", [], "Technology", 760, "Mid-Market", "CO", "US"),
    ("Zorg Telecom", "zorgtelecom.fr", ["zorg.com"], "Telecommunications", 15500, "Enterprise", "", "FR"),
    ("Weyland Mining", "weylandmining.com.au", [], "Mining", 9400, "Enterprise", "", "AU"),
    ("Duff Beverages", "duffbeverages.com", [], "Consumer Goods", 1500, "Mid-Market", "MO", "US"),
    ("Krusty Entertainment", "krustyent.com", [], "Media", 260, "SMB", "CA", "US"),
    ("Los Pollos Hermanos", "lospolloshermanos.com", [], "Hospitality", 3300, "Mid-Market", "NM", "US"),
    ("Sterling Cooper", "sterlingcooper.com", ["scdp.com"], "Advertising", 480, "Mid-Market", "NY", "US"),
    ("Blue Sun Corporation", "bluesun.com", [], "Manufacturing", 11000, "Enterprise", "GA", "US"),
    ("Veidt Enterprises", "veidt.com", [], "Consumer Goods", 7200, "Enterprise", "NY", "US"),
    ("Genco Pura Olive Oil", "gencopura.com", [], "Distribution", 150, "SMB", "NY", "US"),
    ("Strickland Propane", "stricklandpropane.com", [], "Energy", 310, "SMB", "TX", "US"),
    ("Ollivanders Supply", "ollivanders.co.uk", [], "Retail", 75, "SMB", "", "GB"),
    (
        "Gringotts Capital",
        "gringotts.co.uk",
        ["gringotts.com"],
        "Financial Services",
        2700,
        "Mid-Market",
        "",
        "GB",
    ),
    ("Planet Express", "planetexpress.com", [], "Logistics", 120, "SMB", "NY", "US"),
    ("Mom's Friendly Robots", "momcorp.com", [], "Technology", 26000, "Enterprise", "NY", "US"),
    ("Spacely Sprockets", "spacelysprockets.com", [], "Manufacturing", 1900, "Mid-Market", "OH", "US"),
    ("Cogswell Cogs", "cogswellcogs.com", [], "Manufacturing", 860, "Mid-Market", "OH", "US"),
    ("Frobozz Magic Co", "frobozz.com", [], "Technology", 430, "Mid-Market", "MA", "US"),
    ("Ghostbusters Inc", "ghostbusters.nyc", [], "Services", 40, "SMB", "NY", "US"),
    ("InGen Genetics", "ingen.com", ["ingen-labs.com"], "Healthcare", 2100, "Mid-Market", "CA", "US"),
    ("Virtucon", "virtucon.com", [], "Technology", 3900, "Enterprise", "NV", "US"),
    ("Kerb Crawlers Fleet", "kerbfleet.de", [], "Logistics", 1300, "Mid-Market", "", "DE"),
    ("Helios Solar", "heliossolar.es", [], "Energy", 680, "Mid-Market", "", "ES"),
    ("Nordic Timberworks", "nordictimber.se", [], "Manufacturing", 2400, "Mid-Market", "", "SE"),
    ("Maple Leaf Analytics", "mapleleafanalytics.ca", [], "Technology", 330, "SMB", "ON", "CA"),
]

# (title, seniority, department, weight)
TITLES = [
    ("Chief Executive Officer", "c_level", "executive", 1),
    ("Chief Financial Officer", "c_level", "finance", 1),
    ("Chief Information Security Officer", "c_level", "security", 1),
    ("Chief Technology Officer", "c_level", "engineering", 1),
    ("VP of Engineering", "vp", "engineering", 2),
    ("VP of Sales Operations", "vp", "sales", 2),
    ("VP, Finance", "vp", "finance", 1),
    ("VP of IT", "vp", "it", 2),
    ("Director of Procurement", "director", "procurement", 3),
    ("Director of Data Platform", "director", "data", 3),
    ("Director, Information Security", "director", "security", 3),
    ("Head of Revenue Operations", "director", "sales", 2),
    ("Director of Marketing Operations", "director", "marketing", 2),
    ("Engineering Manager", "manager", "engineering", 4),
    ("IT Manager", "manager", "it", 4),
    ("Procurement Manager", "manager", "procurement", 3),
    ("Customer Success Manager", "manager", "customer_success", 2),
    ("Legal Counsel", "individual_contributor", "legal", 2),
    ("Senior Data Engineer", "individual_contributor", "data", 4),
    ("Security Analyst", "individual_contributor", "security", 3),
    ("Business Analyst", "individual_contributor", "operations", 4),
    ("Solutions Architect", "individual_contributor", "engineering", 3),
    ("Financial Analyst", "individual_contributor", "finance", 2),
]
PERSONA_BY = {
    "c_level": "decision_maker",
    "vp": "decision_maker",
    "director": "influencer",
    "manager": "influencer",
    "individual_contributor": "end_user",
}

TEAMS = [
    ("Enterprise East", "Regional Vice President"),
    ("Enterprise West", "Regional Vice President"),
    ("Mid-Market", "Sales Director"),
    ("Commercial", "Sales Manager"),
]
REP_TITLES = [
    "Account Executive",
    "Senior Account Executive",
    "Enterprise Account Executive",
    "Sales Engineer",
    "Customer Success Manager",
]

COMPETITORS = ["Gong", "Clari", "Outreach", "Salesloft", "Chorus"]

# Conversation themes: subjects and bodies read like real B2B sales mail. {first}, {company}, {rep}, {product},
# {deal} (the deal's product, as its name says it, or "Lumen platform"), {competitor}, {day}, {amount} are
# filled in per activity.
EMAIL_THREADS = [
    {
        "topic": "pricing",
        "subject": "Pricing proposal for {company}: {deal}",
        "outbound": "Hi {first},\n\nThanks for the time on our call. As promised, attached is the pricing proposal for {company}: "
        "{amount} per year for the Enterprise tier, including premium support and the onboarding package. "
        "We can hold this pricing until the end of the quarter.\n\nI'll send the revised order form by {day} once you confirm the seat count.\n\nBest,\n{rep}",
        "inbound": "Hi {rep},\n\nThanks for the proposal. Our CFO wants to understand the volume discount and whether multi-year pricing "
        "brings the annual cost down. Budget is approved for this fiscal year, but we need the purchase order signed before the freeze.\n\nCan you send a revised quote?",
    },
    {
        "topic": "security review",
        "subject": "Security review questionnaire - {deal} / {company}",
        "outbound": "Hi {first},\n\nPlease find our completed security questionnaire, the SOC 2 Type II report and our penetration test summary. "
        "Data is encrypted at rest and in transit, and we support SSO with SAML and SCIM provisioning.\n\n"
        "Let's schedule the security review with your InfoSec team next week.\n\nThanks,\n{rep}",
        "inbound": "Hi {rep},\n\nOur InfoSec team reviewed the SOC 2 report. They have follow-up questions on data residency and the "
        "sub-processor list, and they want to confirm single sign-on works with Okta before the security review is closed.\n\nCould we set up a call with your security engineer?",
    },
    {
        "topic": "legal redlines",
        "subject": "MSA redlines from {company} legal - {deal}",
        "outbound": "Hi {first},\n\nOur legal team accepted most of your redlines on the master services agreement. "
        "The open items are the limitation of liability cap and the data processing addendum. "
        "I'll send the clean version of the MSA by {day}.\n\nBest,\n{rep}",
        "inbound": "Hi {rep},\n\nAttached are our redlines on the MSA. Legal flagged the indemnification clause and the auto-renewal term. "
        "We also need the data processing addendum signed before procurement can proceed.\n\nThanks",
    },
    {
        "topic": "timeline",
        "subject": "{deal}: implementation timeline and go-live plan",
        "outbound": "Hi {first},\n\nHere is the proposed implementation timeline: kickoff in two weeks, CRM integration and data migration in "
        "month one, and go-live by the end of the quarter. Let's confirm the project plan and the executive sponsor on your side.\n\n"
        "Next step: I'll set up the kickoff meeting with your project team.\n\n{rep}",
        "inbound": "Hi {rep},\n\nThe go-live date works if the data migration starts on time. Our project team needs the integration "
        "guide and a sandbox environment. We will confirm the executive sponsor by Friday.",
    },
    {
        "topic": "competitor",
        "subject": "Re: Evaluation update - {company} {deal}",
        "outbound": "Hi {first},\n\nI understand you are also evaluating {competitor}. Happy to walk through a side-by-side comparison: "
        "our forecasting accuracy and the Salesforce integration are where customers see the difference. "
        "Would a reference call with a customer in your industry help?\n\n{rep}",
        "inbound": "Hi {rep},\n\nQuick update: we are comparing your proposal with {competitor}. Their pricing is lower, but the team "
        "liked your forecasting dashboards and the reference customers. A reference call would help.",
    },
    {
        "topic": "champion quiet",
        "subject": "Checking in on {deal}",
        "outbound": "Hi {first},\n\nI haven't heard back since our last conversation and wanted to check in. Is the evaluation still a "
        "priority this quarter? If something changed on your side, I'm happy to adjust the plan.\n\n{rep}",
        "inbound": None,
    },
    {
        "topic": "renewal",
        "subject": "{deal}: {company} renewal and expansion",
        "outbound": "Hi {first},\n\nYour renewal is coming up next quarter. Based on usage, your team has grown past the licensed seats; "
        "I'd like to discuss the expansion to the analytics add-on and a multi-year renewal.\n\nCould we book a quarterly business review?\n\n{rep}",
        "inbound": "Hi {rep},\n\nYes, let's plan the QBR. Adoption has been strong in the sales team, and marketing wants access too. "
        "Please include the usage report and the renewal quote.",
    },
    {
        "topic": "technical evaluation",
        "subject": "Proof of concept success criteria - {deal}",
        "outbound": "Hi {first},\n\nTo keep the proof of concept focused, here are the success criteria we discussed: Salesforce sync within "
        "a minute, forecasting accuracy on last quarter's pipeline, and the API for your data warehouse. "
        "I'll share the sandbox credentials by {day}.\n\n{rep}",
        "inbound": "Hi {rep},\n\nThe proof of concept went well. The data engineering team tested the API and the data warehouse export. "
        "Remaining question: rate limits on the API and support for Snowflake.",
    },
]

MEETINGS = [
    (
        "Discovery call: {company} x {deal}",
        "discovery",
        "Agenda: current process, pain points, decision process and timeline. Notes: the team tracks pipeline in spreadsheets; forecasting accuracy is the main pain point.",
    ),
    (
        "Security review with {company} InfoSec",
        "security review",
        "Walked through the SOC 2 report, encryption, SSO with SAML, and data residency. Action: send the sub-processor list.",
    ),
    (
        "Pricing walkthrough: {deal}",
        "pricing",
        "Reviewed the pricing proposal and the volume discount. The CFO asked for multi-year pricing options. Next step: revised quote by Friday.",
    ),
    (
        "Legal redline review - {deal}",
        "legal redlines",
        "Discussed the MSA redlines: limitation of liability and the data processing addendum. Legal will return comments next week.",
    ),
    (
        "Executive alignment: {company}",
        "executive alignment",
        "The executive sponsor confirmed the budget and the go-live timeline. Decision expected before quarter end.",
    ),
    (
        "Quarterly business review ({deal})",
        "renewal",
        "Reviewed adoption, usage report and renewal. Marketing wants seats; expansion to the analytics add-on discussed.",
    ),
    (
        "Technical deep dive: {deal} API and integration",
        "technical evaluation",
        "Covered the REST API, Salesforce integration, data warehouse export and rate limits.",
    ),
    (
        "{deal} implementation kickoff",
        "timeline",
        "Kickoff with the project team: data migration plan, integration guide, sandbox environment, go-live date.",
    ),
]

CALLS = [
    (
        "Call with {first} about {deal} pricing",
        "Discussed the pricing proposal and the volume discount; will send revised quote.",
    ),
    (
        "Follow-up call: {deal} security questionnaire",
        "Answered the open security questionnaire items on data residency.",
    ),
    (
        "Quick call re: {deal} timeline",
        "Confirmed the implementation timeline and next steps for the kickoff.",
    ),
    (
        "Call with {first}: competitive evaluation",
        "They are comparing us with {competitor}; offered a reference call.",
    ),
]

TASKS = [
    "Send revised pricing proposal",
    "Schedule security review with InfoSec",
    "Return MSA redlines to legal",
    "Book QBR with executive sponsor",
    "Share sandbox credentials for the proof of concept",
    "Confirm go-live date and project plan",
    "Set up reference call",
    "Send order form for signature",
]

OPPORTUNITY_KINDS = ["New Business", "Expansion", "Renewal"]
OPPORTUNITY_NAMES = [
    "Platform License",
    "Forecasting Add-on",
    "Enterprise Rollout",
    "Analytics Expansion",
    "Annual Renewal",
    "Pilot",
]
LEAD_SOURCES = ["Web", "Partner Referral", "Outbound", "Event", "Inbound Demo Request"]

SIGNATURE_PHONE_AREA = ["212", "415", "312", "617", "713", "206", "512", "303", "404", "646"]
FREE_MAIL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com"]
ROLE_ADDRESSES = ["noreply", "notifications", "support", "info"]

# What a deal's people talk about at each stage (topics of EMAIL_THREADS and MEETINGS): a deal in
# negotiation has pricing and legal mail, an early one discovery and evaluation.
TOPICS_BY_STAGE = {
    "Prospecting": ["discovery", "champion quiet", "competitor"],
    "Qualification": ["discovery", "technical evaluation", "competitor"],
    "Discovery": ["discovery", "technical evaluation", "security review"],
    "Solution Design": ["technical evaluation", "security review", "competitor"],
    "Proposal": ["pricing", "executive alignment", "competitor", "security review"],
    "Negotiation": ["pricing", "legal redlines", "executive alignment"],
    "Closed Won": ["timeline"],
    "Closed Lost": ["champion quiet"],
}
RENEWAL_TOPICS = ["renewal"]
NO_DEAL = "Lumen platform"
