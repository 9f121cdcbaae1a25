// The web UI of mailsim serve (docs/http-api.md): the message list (live through the event stream),
// a message view, and the faults panel. Message content is never put into this page as HTML: the
// HTML part is shown in a sandboxed iframe (no scripts, no same origin) whose page forbids remote
// content (its Content-Security-Policy), and everything else is set as text.
const $ = (id) => document.getElementById(id);
let selected = null;

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { 'Content-Type': 'application/json' } });
  const body = response.headers.get('content-type')?.includes('json') ? await response.json() : await response.text();
  if (!response.ok) throw new Error(body.Error ? `${body.Error} (${body.where})` : String(body));
  return body;
}

function show(tab) {
  for (const name of ['html', 'text', 'headers', 'raw', 'attachments', 'transcript']) $(`${name}-view`).hidden = name !== tab;
}

async function loadList() {
  const list = await api('/api/v1/messages?limit=200');
  const items = list.messages.map((m) => {
    const li = document.createElement('li');
    li.dataset.id = m.ID;
    li.className = `${m.Read ? '' : 'unread'} ${m.ID === selected ? 'selected' : ''}`;
    li.textContent = m.Subject || '(no subject)';
    const small = document.createElement('small');
    small.textContent = `${m.From.Address} → ${m.To.map((t) => t.Address).join(', ')}`;
    li.append(small);
    li.addEventListener('click', () => open(m.ID));
    return li;
  });
  $('messages').replaceChildren(...items);
  $('empty').hidden = items.length > 0;
}

async function open(id) {
  selected = id;
  const m = await api(`/api/v1/message/${encodeURIComponent(id)}`);
  $('message-pane').hidden = false;
  $('subject').textContent = m.Subject || '(no subject)';
  const rows = [['From', `${m.From.Name} <${m.From.Address}>`], ['To', m.To.map((t) => t.Address).join(', ')], ['Date', m.Date]];
  $('envelope').replaceChildren(...rows.flatMap(([k, v]) => [Object.assign(document.createElement('dt'), { textContent: k }), Object.assign(document.createElement('dd'), { textContent: v })]));
  $('html-view').src = `/ui/message/${encodeURIComponent(id)}/html`;
  $('text-view').textContent = m.Text;
  const headers = await api(`/api/v1/message/${encodeURIComponent(id)}/headers`);
  $('headers-view').textContent = Object.entries(headers).map(([k, values]) => values.map((v) => `${k}: ${v}`).join('\n')).join('\n');
  $('raw-view').textContent = await api(`/api/v1/message/${encodeURIComponent(id)}/raw`);
  $('attachments-view').replaceChildren(...m.Attachments.map((a) => {
    const link = Object.assign(document.createElement('a'), { href: `/api/v1/message/${encodeURIComponent(id)}/part/${a.PartID}`, textContent: `${a.FileName} (${a.Size} bytes)` });
    const li = document.createElement('li');
    li.append(link);
    return li;
  }));
  $('transcript-view').textContent = await transcriptText(id);
  show(m.HTML ? 'html' : 'text');
  await loadList();
}

// The SMTP session that delivered the message, up to its own final dot: "time C|S line" per line.
async function transcriptText(id) {
  try {
    const t = await api(`/api/mailsim/v1/message/${encodeURIComponent(id)}/transcript`);
    const lines = t.lines.map((l) => `${l.at.slice(11, 23)} ${l.dir} ${l.line}`);
    if (t.linesOmitted > 0) lines.push(`(${t.linesOmitted} more line(s) not kept)`);
    return [`port ${t.port}, client ${t.client}`, ...lines].join('\n');
  } catch (error) {
    return error.message;
  }
}

async function loadFaults() {
  const { faults } = await api('/api/mailsim/v1/faults');
  $('faults').replaceChildren(...faults.map((f) => {
    const li = document.createElement('li');
    li.dataset.id = f.id;
    li.textContent = `${f.id} ${f.state}: ${f.description} `;
    const off = Object.assign(document.createElement('button'), { type: 'button', textContent: 'off' });
    off.addEventListener('click', () => api(`/api/mailsim/v1/faults/${f.id}`, { method: 'DELETE' }).then(loadFaults));
    li.append(off);
    return li;
  }));
}

async function addFault(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const stage = form.get('stage');
  const fault = form.get('kind') === 'drop' ? { drop: { after: stage } } : { reply: { on: stage, code: Number(form.get('code')), ...(form.get('text') ? { text: form.get('text') } : {}) } };
  try {
    await api('/api/mailsim/v1/faults', { method: 'POST', body: JSON.stringify(fault) });
    $('fault-error').textContent = '';
  } catch (error) {
    $('fault-error').textContent = error.message;
  }
  await loadFaults();
}

function listen() {
  const events = new EventSource('/api/v1/events');
  events.addEventListener('ready', () => {
    $('status').textContent = 'live';
    document.body.dataset.live = 'true';
  });
  events.addEventListener('new', () => loadList());
  events.addEventListener('fault', () => loadFaults());
  events.onerror = () => ($('status').textContent = 'reconnecting…');
}

$('tabs').addEventListener('click', (event) => event.target.dataset.tab && show(event.target.dataset.tab));
$('fault-form').addEventListener('submit', addFault);
$('delete-all').addEventListener('click', () => api('/api/v1/messages', { method: 'DELETE', body: '{}' }).then(loadList));
listen();
loadList();
loadFaults();
