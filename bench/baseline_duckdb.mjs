// The DuckDB baseline of `make bench`: the weekly pack's headline measures as
// SQL over the same CSV files that leadpack reads, in the generic, Salesforce
// or HubSpot dialect, through the @duckdb/node-api package (installed into
// bench/node_modules by lp_bench).
//
//     node bench/baseline_duckdb.mjs --input DIR [--dialect D] [--threads N] [--dump DIR]
//
// --dump writes headline.csv and attribution.csv into DIR (untimed), to
// compare every number with the pandas baseline's workbook.
// Phases, each timed on its own (wall, CPU of the whole process, which is
// more than wall when DuckDB runs threads, and peak resident memory so far):
//   load     every table materialised in memory with
//            CREATE TABLE ... AS SELECT ... FROM read_csv_auto(...): the
//            columns the dialect's profile maps (templates/profiles/D.yaml;
//            every column for generic), renamed to the canonical names, with
//            the profile's value maps (HubSpot's sources and deal stages,
//            Salesforce's user types); types sniffed, identifier columns
//            forced to VARCHAR (Salesforce's 18-character ids, HubSpot's
//            numeric record ids)
//   queries  the same measures as bench/baseline_pandas.py, over the 13-week
//            window ending at the last complete ISO week before as-of
//            (templates/DEFINITIONS.md): MQL/SQL counts, acceptance rate, inbound pipeline
//            created, the SLA join of MQLs to activities with Kaplan-Meier
//            median and p90, inbound won, first-touch campaign attribution.
//
// Prints one JSON object on stdout: the timings and check_* values for the
// report period P that lp_bench compares with leadpack's results/headline.csv.
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const TABLES = ['leads', 'campaigns', 'touches', 'activities', 'opportunities', 'users',
  'targets'];
const ID_COLUMNS = ['lead_id', 'campaign_id', 'owner_id', 'opportunity_id', 'touch_id'];
const INBOUND = ['web', 'website', 'organic search', 'paid search', 'social', 'email',
  'content', 'webinar', 'event', 'chat', 'referral'];
const PARTNER = ['partner', 'partner referral', 'reseller', 'channel'];
const SLA_SECONDS = 24 * 3600;

// How each dialect's files become the canonical tables, as its profile maps
// them: table -> parts, each file patterns and {source header: canonical
// column}; the parts of a table are stacked. null: canonical headers.
const TARGETS = { period: 'period', measure: 'measure', team: 'team', value: 'value' };
const DIALECTS = {
  generic: Object.fromEntries(TABLES.map((t) => [t, [[[`${t}.csv`, `${t}_*.csv`], null]]])),
  salesforce: {
    leads: [[['Lead.csv', 'Lead_*.csv'], {
      Id: 'lead_id', CreatedDate: 'created_at', LeadSource: 'source', OwnerId: 'owner_id',
      Company: 'company', Industry: 'industry', NumberOfEmployees: 'employees',
      Country: 'country', Phone: 'phone', Email: 'email', Status: 'status',
      MQL_Date__c: 'mql_at', SQL_Date__c: 'sql_at', ConvertedDate: 'converted_at',
      ConvertedOpportunityId: 'opportunity_id' }]],
    campaigns: [[['Campaign.csv'], {
      Id: 'campaign_id', Name: 'name', Type: 'type', StartDate: 'start_date',
      EndDate: 'end_date', ActualCost: 'actual_cost', BudgetedCost: 'budgeted_cost' }]],
    touches: [[['CampaignMember.csv', 'CampaignMember_*.csv'], {
      Id: 'touch_id', LeadId: 'lead_id', CampaignId: 'campaign_id',
      CreatedDate: 'touched_at', HasResponded: 'responded' }]],
    // a task's instant is its CreatedDate (ActivityDate is a date), an
    // event's its ActivityDateTime; a WhoId that is a contact (003...)
    // matches no lead and drops out of the SLA join, as in leadpack
    activities: [
      [['Task.csv', 'Task_*.csv'], {
        WhoId: 'lead_id', CreatedDate: 'at', OwnerId: 'owner_id', TaskSubtype: 'type' }],
      [['Event.csv', 'Event_*.csv'], {
        WhoId: 'lead_id', ActivityDateTime: 'at', OwnerId: 'owner_id',
        EventSubtype: 'type' }]],
    opportunities: [[['Opportunity.csv'], {
      Id: 'opportunity_id', CreatedDate: 'created_at', StageName: 'stage', Amount: 'amount',
      CloseDate: 'close_date', IsClosed: 'is_closed', IsWon: 'is_won', LeadSource: 'source',
      CampaignId: 'campaign_id', OwnerId: 'owner_id', Type: 'type' }]],
    users: [[['User.csv'], {
      Id: 'owner_id', Name: 'name', Department: 'team', UserType: 'is_partner' }]],
    targets: [[['Targets.csv', 'Targets_*.csv'], TARGETS]],
  },
  hubspot: {
    leads: [[['contacts.csv'], {
      'Record ID': 'lead_id', 'Create Date': 'created_at', 'Original Source': 'source',
      'Contact owner': 'owner_id', 'Company Name': 'company', Industry: 'industry',
      'Number of Employees': 'employees', 'Country/Region': 'country',
      'Phone Number': 'phone', Email: 'email', 'Lead Status': 'status',
      'Date entered "Marketing Qualified Lead (Lifecycle Stage Pipeline)"': 'mql_at',
      'Became a Sales Qualified Lead Date': 'sql_at',
      'Became an Opportunity Date': 'converted_at' }]],
    activities: ['calls.csv', 'emails.csv', 'meetings.csv'].map((f) => [[f], {
      'Associated Contact IDs': 'lead_id', 'Activity date': 'at',
      'Activity assigned to': 'owner_id', 'Activity type': 'type' }]),
    opportunities: [[['deals.csv'], {
      'Record ID': 'opportunity_id', 'Create Date': 'created_at', 'Deal Stage': 'stage',
      Amount: 'amount', 'Close Date': 'close_date', 'Original Source': 'source',
      'Associated Contact IDs': 'lead_id', 'Deal owner': 'owner_id', 'Deal Type': 'type' }]],
    users: [[['owners.csv'], { Name: 'owner_id', Team: 'team', 'Partner user': 'is_partner' }]],
    targets: [[['Targets.csv', 'Targets_*.csv'], TARGETS]],
  },
};
// value maps of the profiles (compared trimmed and case-insensitively)
const VALUES = {
  salesforce: { is_partner: { powerpartner: 'true', partner: 'true' } },
  hubspot: {
    source: { 'direct traffic': 'Web', 'social media': 'Social', 'email marketing': 'Email',
      referrals: 'Referral' },
    is_partner: { yes: 'true', no: 'false' },
  },
};
// deal stages that are won, where the export has no is_won column
const WON_STAGES = { hubspot: ['closed won', 'closedwon'] };

function parseArgs(argv) {
  const args = { input: null, dialect: 'generic', threads: 0, dump: null };
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '--input') args.input = argv[++i];
    else if (argv[i] === '--dialect') args.dialect = argv[++i];
    else if (argv[i] === '--threads') args.threads = Number(argv[++i]);
    else if (argv[i] === '--dump') args.dump = argv[++i];
    else {
      console.error(`baseline_duckdb: unknown argument ${argv[i]}`);
      process.exit(1);
    }
  }
  if (!args.input || !DIALECTS[args.dialect]) {
    console.error('usage: node bench/baseline_duckdb.mjs --input DIR '
      + `[--dialect ${Object.keys(DIALECTS).join('|')}] [--threads N] [--dump DIR]`);
    process.exit(1);
  }
  return args;
}

// The files of a table part: each pattern's matches (* only), sorted, once.
function partFiles(dir, patterns) {
  const all = fs.readdirSync(dir).sort();
  const out = [];
  for (const pattern of patterns) {
    const escaped = pattern.replace(/[.+?^$(){}|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
    const re = new RegExp(`^${escaped}$`);
    for (const f of all) if (re.test(f) && !out.includes(f)) out.push(f);
  }
  return out.map((f) => path.join(dir, f));
}

const ident = (s) => `"${s.replace(/"/g, '""')}"`;

function headerOf(file) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(65536);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  let line = buf.toString('utf8', 0, n).split(/\r?\n/)[0];
  if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
  // fields, quoted ones with doubled quotes (HubSpot's Date entered "...")
  const fields = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') field += line[++i];
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field.trim());
      field = '';
    } else field += ch;
  }
  fields.push(field.trim());
  return fields;
}

const sqlString = (s) => `'${String(s).replace(/'/g, "''")}'`;
const sqlList = (xs) => `(${xs.map(sqlString).join(', ')})`;

async function timed(fn) {
  const wall0 = performance.now();
  const cpu0 = process.cpuUsage();
  const value = await fn();
  const cpu = process.cpuUsage(cpu0);
  return {
    value,
    wall: (performance.now() - wall0) / 1000,
    cpu: (cpu.user + cpu.system) / 1e6,
    peakMb: process.resourceUsage().maxRSS / 1024,
  };
}

// One table part as a SELECT: the mapped columns renamed, value maps
// applied; canonical names in `columns`. Instants are cast where used
// (secs()): the sniffer reads Salesforce's 2026-11-20T14:03:11.000+0000 as
// TIMESTAMP WITH TIME ZONE, and a text column casts the same way.
function partSelect(files, names, dialect, columns) {
  const header = headerOf(files[0]);
  const canon = (h) => (names ? names[h] : h);
  const used = header.filter((h) => canon(h) !== undefined);
  const types = used.filter((h) => ID_COLUMNS.includes(canon(h)))
    .map((h) => `${sqlString(h)}: 'VARCHAR'`);
  const opts = types.length ? `, types = {${types.join(', ')}}` : '';
  const values = VALUES[dialect] || {};
  const cols = used.map((h) => {
    const c = canon(h);
    columns.add(c);
    let e = ident(h);
    if (values[c]) {
      const key = `lower(trim(CAST(${e} AS VARCHAR)))`;
      const whens = Object.entries(values[c])
        .map(([from, to]) => `WHEN ${sqlString(from)} THEN ${sqlString(to)}`).join(' ');
      e = `CASE ${key} ${whens} ELSE CAST(${e} AS VARCHAR) END`;
    }
    return `${e} AS ${ident(c)}`;
  });
  return `SELECT ${names ? cols.join(', ') : '*'} FROM read_csv_auto(` +
    `[${files.map(sqlString).join(', ')}], header = true${opts})`;
}

async function load(con, dir, dialect) {
  const present = {};
  let bytes = 0;
  let rows = 0;
  for (const name of TABLES) {
    const columns = new Set();
    const selects = [];
    for (const [patterns, names] of DIALECTS[dialect][name] || []) {
      const files = partFiles(dir, patterns);
      if (files.length === 0) continue;
      selects.push(partSelect(files, names, dialect, columns));
      bytes += files.reduce((s, f) => s + fs.statSync(f).size, 0);
    }
    if (selects.length === 0) continue;
    let body = selects.join(' UNION ALL BY NAME ');
    if (name === 'opportunities' && WON_STAGES[dialect] && !columns.has('is_won')) {
      body = `SELECT *, lower(trim(stage)) IN ${sqlList(WON_STAGES[dialect])} AS is_won
              FROM (${body})`;
      columns.add('is_won');
    }
    await con.run(`CREATE TABLE ${name} AS ${body}`);
    const r = await con.runAndReadAll(`SELECT count(*)::BIGINT AS n FROM ${name}`);
    rows += Number(r.getRowObjects()[0].n);
    present[name] = columns;
  }
  return { present, bytes, rows };
}

// Seconds since the epoch of an instant or date column, whatever type the
// sniffer chose (TIMESTAMP, TIMESTAMP WITH TIME ZONE, DATE or text).
function secs(col, cols) {
  return cols.has(col) ? `epoch(CAST("${col}" AS TIMESTAMPTZ))` : 'NULL::DOUBLE';
}

async function queries(con, present) {
  const L = present.leads;
  const T = present.touches;
  const A = present.activities;
  const O = present.opportunities;
  const U = present.users;
  const run = (sql) => con.run(sql);
  const week = (x) => `CAST(floor((${x} + 259200) / 604800) AS BIGINT)`;
  const wilson = (k, n, sign) => `CASE WHEN ${n} > 0 THEN
      ((${k}::DOUBLE / ${n} + 1.959964 ^ 2 / (2 * ${n}))
       ${sign} 1.959964 * sqrt((${k}::DOUBLE / ${n}) * (1 - ${k}::DOUBLE / ${n}) / ${n}
                               + 1.959964 ^ 2 / (4.0 * ${n} * ${n})))
      / (1 + 1.959964 ^ 2 / ${n}) END`;

  const maxes = [`SELECT max(${secs('created_at', L)}) AS t FROM leads`,
    `SELECT max(${secs('mql_at', L)}) FROM leads`,
    `SELECT max(${secs('sql_at', L)}) FROM leads`];
  if (T) maxes.push(`SELECT max(${secs('touched_at', T)}) FROM touches`);
  if (A) maxes.push(`SELECT max(${secs('at', A)}) FROM activities`);
  if (O) maxes.push(`SELECT max(${secs('created_at', O)}) FROM opportunities`);
  await run(`CREATE TEMP TABLE ctx AS SELECT as_of, ${week('as_of')} - 1 AS p
             FROM (SELECT max(t) AS as_of FROM (${maxes.join(' UNION ALL ')}))`);
  await run(`CREATE TEMP TABLE weeks AS SELECT range AS w FROM ctx, range(p - 12, p + 1)`);

  const partnerOwners = U && U.has('is_partner')
    ? `SELECT owner_id FROM users WHERE lower(trim(CAST(is_partner AS VARCHAR))) IN ('true', '1', 'yes')`
    : `SELECT NULL::VARCHAR WHERE false`;
  const src = L.has('source') ? 'lower(trim(l.source))' : "''";
  await run(`CREATE TEMP TABLE l AS
    SELECT l.rowid AS pos, l.lead_id,
           CASE WHEN ${secs('mql_at', L)} <= ctx.as_of THEN ${secs('mql_at', L)} END AS mql,
           CASE WHEN ${secs('sql_at', L)} <= ctx.as_of THEN ${secs('sql_at', L)} END AS sql,
           CASE WHEN ${src} IN ${sqlList(INBOUND)} THEN 'inbound'
                WHEN ${src} IN ${sqlList(PARTNER)}
                  ${L.has('owner_id') ? `OR l.owner_id IN (${partnerOwners})` : ''} THEN 'partner'
                ELSE 'outbound' END AS channel,
           ${L.has('opportunity_id') ? 'l.opportunity_id' : 'NULL::VARCHAR'} AS opportunity_id
    FROM leads l, ctx`);

  const parts = [];
  // 1. qualified lead volume
  parts.push(`SELECT 'mql_count' AS measure, w, count(m.w)::DOUBLE AS value,
      NULL::DOUBLE AS low, NULL::DOUBLE AS high
    FROM weeks LEFT JOIN (SELECT ${week('mql')} AS w FROM l WHERE mql IS NOT NULL) m USING (w)
    GROUP BY w`);
  parts.push(`SELECT 'sql_count', w, count(s.w)::DOUBLE, NULL, NULL
    FROM weeks LEFT JOIN (SELECT ${week('sql')} AS w FROM l WHERE sql IS NOT NULL) s USING (w)
    GROUP BY w`);
  parts.push(`SELECT 'acceptance_rate', w,
      CASE WHEN n > 0 THEN k::DOUBLE / n END, ${wilson('k', 'n', '-')}, ${wilson('k', 'n', '+')}
    FROM (SELECT w, count(m.w) AS n, count(m.sql) AS k FROM weeks
          LEFT JOIN (SELECT ${week('mql')} AS w, sql FROM l WHERE mql IS NOT NULL) m USING (w)
          GROUP BY w)`);

  // 3. inbound pipeline; 5. inbound won
  if (O) {
    const osrc = O.has('source') ? 'lower(trim(o.source))' : "''";
    await run(`CREATE TEMP TABLE o AS
      SELECT o.*, COALESCE(l1.pos, l2.pos) AS lead_pos,
             COALESCE(l1.channel, l2.channel,
                      CASE WHEN ${osrc} IN ${sqlList(INBOUND)} THEN 'inbound'
                           WHEN ${osrc} IN ${sqlList(PARTNER)} THEN 'partner'
                           ELSE 'outbound' END) AS channel_,
             COALESCE(${O.has('amount') ? 'TRY_CAST(o.amount AS DOUBLE)' : 'NULL'}, 0) AS amount_,
             ${secs('created_at', O)} AS created_,
             ${secs('close_date', O)} AS closed_,
             ${O.has('is_won') ? "lower(trim(CAST(o.is_won AS VARCHAR))) IN ('true', '1', 'yes')" : 'false'} AS won_
      FROM opportunities o
      LEFT JOIN (SELECT lead_id, arg_min(pos, pos) AS pos, arg_min(channel, pos) AS channel
                 FROM l GROUP BY lead_id) l1
        ON ${O.has('lead_id') ? 'l1.lead_id = o.lead_id' : 'false'}
      LEFT JOIN (SELECT opportunity_id, arg_min(pos, pos) AS pos, arg_min(channel, pos) AS channel
                 FROM l WHERE opportunity_id IS NOT NULL GROUP BY opportunity_id) l2
        ON l2.opportunity_id = o.opportunity_id`);
    parts.push(`SELECT 'inbound_pipeline_count', w, count(x.w)::DOUBLE, NULL, NULL
      FROM weeks LEFT JOIN (SELECT ${week('created_')} AS w FROM o WHERE channel_ = 'inbound') x
      USING (w) GROUP BY w`);
    parts.push(`SELECT 'inbound_pipeline_amount', w, COALESCE(sum(x.amount_), 0), NULL, NULL
      FROM weeks LEFT JOIN (SELECT ${week('created_')} AS w, amount_ FROM o
                            WHERE channel_ = 'inbound') x USING (w) GROUP BY w`);
    parts.push(`SELECT 'inbound_won_count', w, count(x.w)::DOUBLE, NULL, NULL
      FROM weeks LEFT JOIN (SELECT ${week('closed_')} AS w FROM o
                            WHERE channel_ = 'inbound' AND won_) x USING (w) GROUP BY w`);
    parts.push(`SELECT 'inbound_won_amount', w, COALESCE(sum(x.amount_), 0), NULL, NULL
      FROM weeks LEFT JOIN (SELECT ${week('closed_')} AS w, amount_ FROM o
                            WHERE channel_ = 'inbound' AND won_) x USING (w) GROUP BY w`);
  }

  // 4. SLA: first activity at or after hand-off for the window's MQLs
  if (A) {
    await run(`CREATE TEMP TABLE m AS
      SELECT l.pos, l.lead_id, l.mql, ${week('l.mql')} AS w
      FROM l, ctx WHERE l.mql IS NOT NULL AND ${week('l.mql')} BETWEEN ctx.p - 12 AND ctx.p`);
    await run(`CREATE TEMP TABLE sla AS
      SELECT f.*, first IS NOT NULL AS touched,
             (COALESCE(first, ctx.as_of) - mql) / 3600.0 AS hours,
             first IS NOT NULL AND first <= mql + ${SLA_SECONDS} AS within,
             first IS NULL AND mql + ${SLA_SECONDS} > ctx.as_of AS pending
      FROM (SELECT m.pos, m.mql, m.w, min(${secs('at', A)}) AS first
            FROM m LEFT JOIN activities a
              ON a.lead_id = m.lead_id AND ${secs('at', A)} >= m.mql
            GROUP BY m.pos, m.mql, m.w) f, ctx`);
    await run(`CREATE TEMP TABLE sla_w AS
      SELECT w, count(s.w) AS n, count(*) FILTER (WHERE within) AS within,
             count(*) FILTER (WHERE pending) AS pending,
             count(*) FILTER (WHERE NOT touched) AS untouched
      FROM weeks LEFT JOIN sla s USING (w) GROUP BY w`);
    // Kaplan-Meier: at risk at t = every lead whose time is >= t (a lead
    // censored at t is still at risk at t); S steps down at touch times.
    await run(`CREATE TEMP TABLE km AS
      WITH t AS (SELECT w, hours, count(*) FILTER (WHERE touched) AS d, count(*) AS c
                 FROM sla GROUP BY w, hours),
           r AS (SELECT w, hours, d, sum(c) OVER (PARTITION BY w ORDER BY hours DESC
                                                  ROWS UNBOUNDED PRECEDING) AS n FROM t),
           k AS (SELECT w, hours, product(1 - d / n) OVER (PARTITION BY w ORDER BY hours
                                                           ROWS UNBOUNDED PRECEDING) AS surv
                 FROM r WHERE d > 0)
      SELECT w, min(hours) FILTER (WHERE surv <= 0.5 + 1e-12) AS median,
                min(hours) FILTER (WHERE surv <= 0.1 + 1e-12) AS p90
      FROM k GROUP BY w`);
    parts.push(`SELECT 'sla_eligible', w, (n - pending)::DOUBLE, NULL, NULL FROM sla_w`);
    parts.push(`SELECT 'sla_within', w, within::DOUBLE, NULL, NULL FROM sla_w`);
    parts.push(`SELECT 'sla_compliance', w,
        CASE WHEN n - pending > 0 THEN within::DOUBLE / (n - pending) END,
        ${wilson('within', '(n - pending)', '-')}, ${wilson('within', '(n - pending)', '+')}
      FROM sla_w`);
    parts.push(`SELECT 'sla_median_hours', w, median, NULL, NULL FROM weeks LEFT JOIN km USING (w)`);
    parts.push(`SELECT 'sla_p90_hours', w, p90, NULL, NULL FROM weeks LEFT JOIN km USING (w)`);
    parts.push(`SELECT 'sla_untouched', w, untouched::DOUBLE, NULL, NULL FROM sla_w`);
    parts.push(`SELECT 'sla_pending', w, pending::DOUBLE, NULL, NULL FROM sla_w`);
  }
  await run(`CREATE TEMP TABLE headline AS ${parts.join(' UNION ALL ')}`);

  // 2. first-touch attribution (lifetime to as-of): the lead's earliest touch
  // (ties: touched_at, touch_id, export order) when at or before the event
  let campaigns = 0;
  if (T) {
    await run(`CREATE TEMP TABLE ft AS
      SELECT lead_id, campaign_id, ${secs('touched_at', T)} AS touched_ FROM touches
      QUALIFY row_number() OVER (PARTITION BY lead_id ORDER BY ${secs('touched_at', T)},
                                 ${T.has('touch_id') ? 'touch_id, ' : ''}rowid) = 1`);
    const credit = (cut) => `CASE WHEN ft.touched_ <= ${cut} THEN ft.campaign_id ELSE '(no campaign)' END`;
    const events = [
      `SELECT ${credit('l.mql')} AS campaign_id, 1.0 AS mqls, 0.0 AS sqls, 0.0 AS opportunities,
              0.0 AS pipeline, 0.0 AS won
       FROM l LEFT JOIN ft USING (lead_id) WHERE l.mql IS NOT NULL`,
      `SELECT ${credit('l.sql')}, 0, 1, 0, 0, 0
       FROM l LEFT JOIN ft USING (lead_id) WHERE l.sql IS NOT NULL`];
    if (O) {
      events.push(`SELECT CASE WHEN o.lead_pos IS NOT NULL THEN ${credit('o.created_')}
                               ${O.has('campaign_id') ? 'WHEN o.campaign_id IS NOT NULL THEN o.campaign_id' : ''}
                               ELSE '(no campaign)' END,
                          0, 0, 1, o.amount_, CASE WHEN o.won_ THEN o.amount_ ELSE 0 END
                   FROM o LEFT JOIN l ON l.pos = o.lead_pos LEFT JOIN ft ON ft.lead_id = l.lead_id`);
    }
    await run(`CREATE TEMP TABLE attribution AS
      SELECT e.campaign_id, ${present.campaigns ? 'any_value(c.name)' : 'NULL'} AS name,
             sum(mqls) AS mqls, sum(sqls) AS sqls, sum(opportunities) AS opportunities,
             sum(pipeline) AS pipeline, sum(won) AS won
      FROM (${events.join(' UNION ALL ')}) e
      ${present.campaigns ? 'LEFT JOIN campaigns c ON c.campaign_id = e.campaign_id' : ''}
      GROUP BY e.campaign_id`);
    const r = await con.runAndReadAll('SELECT count(*)::BIGINT AS n FROM attribution');
    campaigns = Number(r.getRowObjects()[0].n);
  }
  return campaigns;
}

async function main() {
  const args = parseArgs(process.argv);
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  await con.run("SET TimeZone = 'UTC'");
  if (args.threads > 0) await con.run(`SET threads = ${args.threads}`);
  const version = (await con.runAndReadAll('SELECT version() AS v')).getRowObjects()[0].v;

  const pLoad = await timed(() => load(con, args.input, args.dialect));
  const { present, bytes, rows } = pLoad.value;
  if (!present.leads) {
    console.error(`baseline_duckdb: no ${args.dialect} leads file in ${args.input}`);
    process.exit(2);
  }
  const pQueries = await timed(() => queries(con, present));

  const out = { tool: 'duckdb', version, dialect: args.dialect, input_bytes: bytes, rows };
  for (const [name, p] of [['load', pLoad], ['queries', pQueries]]) {
    out[`${name}_wall_s`] = Number(p.wall.toFixed(4));
    out[`${name}_cpu_s`] = Number(p.cpu.toFixed(4));
    out[`${name}_peak_mb`] = Number(p.peakMb.toFixed(1));
  }
  out.process_wall_s = Number(process.uptime().toFixed(4));
  const ctx = (await con.runAndReadAll(
    `SELECT strftime(to_timestamp(as_of), '%Y-%m-%dT%H:%M:%SZ') AS as_of,
            strftime(to_timestamp((p * 7 - 3) * 86400), '%G-W%V') AS period FROM ctx`))
    .getRowObjects()[0];
  out.as_of = ctx.as_of;
  out.period = ctx.period;
  out.campaigns_credited = pQueries.value;
  const last = await con.runAndReadAll(
    'SELECT measure, value FROM headline, ctx WHERE w = p AND value IS NOT NULL ORDER BY measure');
  for (const row of last.getRowObjects()) out[`check_${row.measure}`] = Number(row.value);
  if (args.dump) {
    fs.mkdirSync(args.dump, { recursive: true });
    await con.run(`COPY (SELECT measure, strftime(to_timestamp((w * 7 - 3) * 86400), '%G-W%V')
                         AS period, value, low, high FROM headline ORDER BY measure, w)
                   TO ${sqlString(path.join(args.dump, 'headline.csv'))} (HEADER)`);
    if (pQueries.value > 0) {
      await con.run(`COPY (SELECT * FROM attribution ORDER BY campaign_id)
                     TO ${sqlString(path.join(args.dump, 'attribution.csv'))} (HEADER)`);
    }
  }
  console.log(JSON.stringify(out));
}

main().catch((err) => {
  console.error(`baseline_duckdb: ${err.message}`);
  process.exit(1);
});
