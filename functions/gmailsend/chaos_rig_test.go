package main_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devscheduler"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/devsqs"
	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/dev/faultproxy"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/dev/runtimeapi"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
)

// The names the rig gives the table, queues and schedule group, and the
// API key id its API Gateway events carry (keys are scoped to it).
const (
	rigTable      = "messages"
	rigQueue      = "send"
	rigDeadLetter = "dead-letter"
	rigGroup      = "gmailsend-sends"
	rigCaller     = "chaos-api-key"
)

// rig is a local deployment for crash tests: the real bootstrap as one or
// more instances (a process each, SIGKILLed and restarted at will), the
// message table on dynalite, the send queue with its dead-letter queue on
// devsqs, the schedule group on devscheduler and the development SMTP
// server. Each instance reaches the three AWS stand-ins through fault
// proxies of its own, so a fault or a kill point belongs to the process
// that made the request.
type rig struct {
	tb        testing.TB
	bootstrap string
	st        *devstack.Stack
	dynamo    string // dynalite's endpoint: the checks read the table directly
	records   *dynamostore.Table
	sqs       *devsqs.Server
	sched     *devscheduler.Server
	logs      *fixture.SyncBuffer
	timeout   time.Duration // each invocation's timeout; a claim's lease is this plus 5 s

	// onContent and onRcpt, when set, hear the SMTP server receive a
	// message's content (before its reply) and each RCPT.
	onContent atomic.Pointer[func(to []string)]
	onRcpt    atomic.Pointer[func(to string)]

	mu        sync.Mutex
	arrivals  map[string][]time.Time // per recipient, when its content arrived
	instances []*instance
}

// rigOptions tune a rig.
type rigOptions struct {
	// timeout is each invocation's timeout (3 s if zero).
	timeout time.Duration
	// visibility and maxReceives are the send queue's visibility timeout
	// and redrive policy (2 s and 20 if zero: scripted tests redeliver
	// quickly and often, so a crashed claim's lease is outlived without
	// the dead-letter queue).
	visibility  time.Duration
	maxReceives int
}

// startRig starts the stand-ins (closed when the test ends). Short runs
// skip, since it builds the bootstrap; without dynalite it skips, as the
// other DynamoDB tests do (or fails under CI).
func startRig(tb testing.TB, o rigOptions) *rig {
	tb.Helper()
	if testing.Short() {
		tb.Skip("builds the bootstrap binary")
	}
	if o.timeout == 0 {
		o.timeout = 3 * time.Second
	}
	if o.visibility == 0 {
		o.visibility = 2 * time.Second
	}
	if o.maxReceives == 0 {
		o.maxReceives = 20
	}
	r := &rig{tb: tb, logs: new(fixture.SyncBuffer), timeout: o.timeout, arrivals: map[string][]time.Time{}}
	client, endpoint := dynalite.StartTable(tb, rigTable)
	r.dynamo, r.records = endpoint, dynamostore.NewWithAPI(rigTable, client)
	r.bootstrap = sharedBootstrap(tb)
	st, err := devstack.Start(devstack.Options{Dir: tb.TempDir(), Mail: func(mo *devsmtp.Options) {
		mo.Content = func(to []string) {
			r.mu.Lock()
			for _, a := range to {
				r.arrivals[a] = append(r.arrivals[a], time.Now())
			}
			r.mu.Unlock()
			if f := r.onContent.Load(); f != nil {
				(*f)(to)
			}
		}
		mo.Reject = func(stage, arg string) error {
			if f := r.onRcpt.Load(); f != nil && stage == "RCPT" {
				(*f)(arg)
			}
			return nil
		}
	}})
	if err != nil {
		tb.Fatal(err)
	}
	r.st = st
	r.sqs = devsqs.Start()
	r.sqs.CreateQueue(rigDeadLetter, devsqs.QueueOptions{})
	r.sqs.CreateQueue(rigQueue, devsqs.QueueOptions{VisibilityTimeout: o.visibility, MaxMessageBytes: 256 << 10,
		DeadLetterQueue: rigDeadLetter, MaxReceiveCount: o.maxReceives})
	r.sched = devscheduler.Start(r.sqs)
	tb.Cleanup(func() {
		r.mu.Lock()
		ins := r.instances
		r.mu.Unlock()
		for _, in := range ins {
			in.close()
		}
		r.sched.Close()
		r.sqs.Close()
		st.Close()
		if tb.Failed() {
			tb.Logf("function log, without metric lines (last 6 KiB):\n%s", tail(logLines(r.logs.String()), 6<<10))
		}
	})
	return r
}

// logLines is the function's log lines (slog's), without the metric
// lines between them.
func logLines(log string) string {
	var out strings.Builder
	for line := range strings.Lines(log) {
		if !strings.HasPrefix(line, `{"time"`) && strings.HasPrefix(line, "{") {
			continue
		}
		out.WriteString(line)
	}
	return out.String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

var bootstrapBuild struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// sharedBootstrap builds the bootstrap once for every crash test of this
// test binary (TestMain removes it).
func sharedBootstrap(tb testing.TB) string {
	tb.Helper()
	b := &bootstrapBuild
	b.once.Do(func() {
		b.dir, b.err = os.MkdirTemp("", "gmailsend-chaos-")
		if b.err == nil {
			b.path, b.err = devstack.BuildBootstrap(fixture.ModuleRoot(tb), b.dir)
		}
	})
	if b.err != nil {
		tb.Fatal(b.err)
	}
	return b.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bootstrapBuild.dir != "" {
		_ = os.RemoveAll(bootstrapBuild.dir)
	}
	os.Exit(code)
}

// instance is one function instance: the bootstrap process of the moment
// (started on demand, replaced after a kill) and its fault proxies.
type instance struct {
	r                  *rig
	name               string
	dynamo, sqs, sched *faultproxy.Proxy
	env                []string

	mu     sync.Mutex
	fn     *runtimeapi.Function
	life   context.Context
	end    context.CancelFunc
	starts int
	kills  int
}

// errKilled is an invocation's error when its process was killed under it.
var errKilled = errors.New("the function was killed")

// instance adds a function instance whose proxies fault as faults says
// (each proxy seeded apart from the others).
func (r *rig) instance(name string, faults faultproxy.Options) *instance {
	r.tb.Helper()
	in := &instance{r: r, name: name}
	for i, p := range []struct {
		to     string
		target **faultproxy.Proxy
	}{{r.dynamo, &in.dynamo}, {r.sqs.URL, &in.sqs}, {r.sched.URL, &in.sched}} {
		o := faults
		o.Seed += int64(i) * 7919
		proxy, err := faultproxy.Start(p.to, o)
		if err != nil {
			r.tb.Fatal(err)
		}
		*p.target = proxy
	}
	in.env = append(r.st.Env(),
		"MESSAGES_TABLE="+rigTable,
		"AWS_ENDPOINT_URL_DYNAMODB="+in.dynamo.URL,
		"AWS_ENDPOINT_URL_SQS="+in.sqs.URL,
		"AWS_ENDPOINT_URL_SCHEDULER="+in.sched.URL,
		"SEND_QUEUE_URL="+r.sqs.QueueURL(rigQueue),
		"SEND_QUEUE_ARN="+devsqs.QueueARN(rigQueue),
		"SCHEDULE_GROUP="+rigGroup,
		"SCHEDULER_ROLE_ARN=arn:aws:iam::"+devsqs.Account+":role/gmailsend-scheduler",
		// Scheduled sends fire within the test.
		"MIN_SCHEDULE_AHEAD=1s",
		// The quota guard stays on the path, far from its limits.
		"DAILY_MESSAGE_LIMIT=1000000", "DAILY_RECIPIENT_LIMIT=1000000",
		// A batch may start a send with little of its 3 s left.
		"BATCH_RESERVE=500ms",
	)
	r.mu.Lock()
	r.instances = append(r.instances, in)
	r.mu.Unlock()
	return in
}

// running returns the process, starting one if there is none.
func (in *instance) running(ctx context.Context) (*runtimeapi.Function, context.Context, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.fn != nil {
		return in.fn, in.life, nil
	}
	fn, err := runtimeapi.StartFunction(ctx, in.r.bootstrap, in.env, in.r.logs, in.r.logs)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", in.name, err)
	}
	in.fn, in.starts = fn, in.starts+1
	in.life, in.end = context.WithCancel(context.Background())
	return in.fn, in.life, nil
}

// invoke runs one invocation with the rig's timeout. A process killed
// under it is errKilled; one that outlives its timeout is killed, as
// Lambda resets an environment whose invocation timed out.
func (in *instance) invoke(ctx context.Context, payload []byte) (runtimeapi.Result, error) {
	fn, life, err := in.running(ctx)
	if err != nil {
		return runtimeapi.Result{}, err
	}
	ictx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(life, cancel)()
	res, err := fn.Invoke(ictx, payload, in.r.timeout)
	switch {
	case err != nil && life.Err() != nil:
		return res, errKilled
	case err != nil && ctx.Err() == nil:
		in.stop(fn, false)
	}
	return res, err
}

// Kill SIGKILLs the current process (a crash: no shutdown hook runs);
// the next invocation starts a new one. Safe from any goroutine,
// including the proxies' hooks and the SMTP server's.
func (in *instance) Kill() {
	in.mu.Lock()
	fn := in.fn
	in.mu.Unlock()
	if fn != nil {
		in.stop(fn, true)
	}
}

func (in *instance) stop(fn *runtimeapi.Function, count bool) {
	in.mu.Lock()
	if in.fn != fn {
		in.mu.Unlock()
		return
	}
	in.fn = nil
	end := in.end
	if count {
		in.kills++
	}
	in.mu.Unlock()
	fn.Kill()
	end()
}

// Kills is how many times Kill ended a process.
func (in *instance) Kills() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.kills
}

func (in *instance) close() {
	in.mu.Lock()
	fn := in.fn
	in.fn = nil
	in.mu.Unlock()
	if fn != nil {
		fn.Stop()
		in.end()
	}
	in.dynamo.Close()
	in.sqs.Close()
	in.sched.Close()
}

// apiEvent is an API Gateway REST event of method and path with body,
// from the rig's API key, with an Idempotency-Key header when key is set.
func apiEvent(tb testing.TB, method, path, body, key string) []byte {
	tb.Helper()
	var ev map[string]any
	if err := json.Unmarshal(fixture.UpstreamEvent(tb, "apigw-request.json", body), &ev); err != nil {
		tb.Fatal(err)
	}
	ev["httpMethod"], ev["path"], ev["resource"] = method, path, path
	headers, _ := ev["headers"].(map[string]any)
	if headers == nil {
		headers = map[string]any{}
	}
	if key != "" {
		headers["Idempotency-Key"] = key
	}
	ev["headers"] = headers
	delete(ev, "multiValueHeaders")
	rc, _ := ev["requestContext"].(map[string]any)
	if id, _ := rc["identity"].(map[string]any); id != nil {
		id["apiKeyId"] = rigCaller
	}
	out, err := json.Marshal(ev)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// queuedBody is a POST /messages request with the sample stored
// credential; at, when not zero, schedules it.
func queuedBody(to, subject string, at time.Time) string {
	m := map[string]string{"credential": "support-desk", "toEmail": to, "subject": subject, "message": "<p>" + subject + "</p>"}
	if !at.IsZero() {
		m["scheduledAt"] = at.UTC().Format(time.RFC3339)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// answer is what a client made of one attempt.
type answer struct {
	status     int    // HTTP status; 0 when there was none
	code       string // the error code, or the body's status on success
	id         string
	retryAfter time.Duration
	err        error // no answer: killed, timed out
}

func (a answer) String() string {
	if a.status == 0 {
		if errors.Is(a.err, errKilled) {
			return "killed"
		}
		return "no answer"
	}
	return strconv.Itoa(a.status) + " " + a.code
}

// final says a client following docs/api.md stops here: a success, or a
// failure whose code docs/api.md marks "retry helps: no".
func (a answer) final() bool {
	return a.status/100 == 2 || (a.status != 0 && a.code != "" && !gmailsend.Code(a.code).Retryable())
}

// readAnswer reads an API Gateway response (or the lack of one).
func readAnswer(res runtimeapi.Result, err error) answer {
	if err != nil {
		return answer{err: err}
	}
	if res.Err != nil {
		return answer{err: res.Err}
	}
	var resp struct {
		StatusCode int               `json:"statusCode"`
		Headers    map[string]string `json:"headers"`
		Body       string            `json:"body"`
	}
	if err := json.Unmarshal(res.Payload, &resp); err != nil {
		return answer{err: fmt.Errorf("%v: %s", err, res.Payload)}
	}
	var body struct {
		Status string `json:"status"`
		ID     string `json:"id"`
		Error  struct {
			Code              string `json:"code"`
			RetryAfterSeconds int    `json:"retryAfterSeconds"`
		} `json:"error"`
	}
	_ = json.Unmarshal([]byte(resp.Body), &body)
	a := answer{status: resp.StatusCode, code: body.Status, id: body.ID}
	if body.Error.Code != "" {
		a.code = body.Error.Code
	}
	if s, err := strconv.Atoi(resp.Headers["Retry-After"]); err == nil {
		a.retryAfter = time.Duration(s) * time.Second
	} else if body.Error.RetryAfterSeconds > 0 {
		a.retryAfter = time.Duration(body.Error.RetryAfterSeconds) * time.Second
	}
	return a
}

// untilFinal sends event through in as docs/api.md tells clients to: a
// retryable answer, or none, is retried after its Retry-After (a short
// pause without one), until a final answer or within has passed. It
// returns every answer, the last one last.
func (r *rig) untilFinal(in *instance, event []byte, within time.Duration) []answer {
	r.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within+r.timeout+5*time.Second)
	defer cancel()
	deadline := time.Now().Add(within)
	var out []answer
	for {
		a := readAnswer(in.invoke(ctx, event))
		out = append(out, a)
		if a.final() || time.Now().After(deadline) {
			return out
		}
		wait := a.retryAfter
		if wait == 0 {
			wait = 300 * time.Millisecond
		}
		time.Sleep(min(wait, time.Until(deadline)+10*time.Millisecond))
	}
}

// consumeUntil feeds the send queue to in, as the event source mapping
// does, until done says so or within has passed; it reports done.
func (r *rig) consumeUntil(in *instance, within time.Duration, done func() bool) bool {
	ctx, cancel := context.WithTimeout(context.Background(), within+r.timeout+5*time.Second)
	defer cancel()
	deadline := time.Now().Add(within)
	mapping := devsqs.Mapping{Queue: rigQueue, BatchSize: 10, ReportBatchItemFailures: true}
	invoke := func(ctx context.Context, payload []byte) ([]byte, error) {
		res, err := in.invoke(ctx, payload)
		if err != nil {
			return nil, err
		}
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Payload, nil
	}
	for !done() {
		if time.Now().After(deadline) {
			return false
		}
		if _, err := r.sqs.Poll(ctx, mapping, invoke, 200*time.Millisecond); err != nil && ctx.Err() == nil {
			time.Sleep(50 * time.Millisecond)
		}
	}
	return true
}

// drained says nothing is left to deliver: the send queue is empty and no
// schedule is waiting to fire, twice 50 ms apart (a schedule firing is
// in neither for a moment).
func (r *rig) drained() bool {
	empty := func() bool { return len(r.sqs.Messages(rigQueue)) == 0 && len(r.sched.Schedules()) == 0 }
	if !empty() {
		return false
	}
	time.Sleep(50 * time.Millisecond)
	return empty()
}

// delivered is what the SMTP server received for recipient, in order.
func (r *rig) delivered(to string) []devsmtp.Message {
	var out []devsmtp.Message
	for _, m := range r.st.SMTP.Messages() {
		for _, a := range m.To {
			if strings.EqualFold(a, to) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

// subjectsTo is the subjects of the messages delivered to recipient.
func (r *rig) subjectsTo(to string) []string {
	r.tb.Helper()
	var out []string
	for _, m := range r.delivered(to) {
		s, err := devstack.Summarize(m)
		if err != nil {
			r.tb.Fatal(err)
		}
		out = append(out, s.Subject)
	}
	return out
}

// arrivedAt is when each message's content reached the server for
// recipient, in order.
func (r *rig) arrivedAt(to string) []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.arrivals[to]...)
}

// record reads a message record straight from the table (nil when there
// is none).
func (r *rig) record(id string) *gmailsend.Record {
	r.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rec, err := r.records.Get(ctx, id)
	if errors.Is(err, gmailsend.ErrNotFound) {
		return nil
	}
	if err != nil {
		r.tb.Fatal(err)
	}
	return rec
}

// recordID is the id of the record a keyed request of the rig's API key
// has.
func recordID(key string) string { return gmailsend.KeyedID(rigCaller, key) }

// writesRecord says a DynamoDB write request (PutItem, UpdateItem) is of
// the record id.
func writesRecord(op string, body []byte, id string) bool {
	return (op == "PutItem" || op == "UpdateItem") && strings.Contains(string(body), `"msg#`+id+`"`)
}

// marksContent says a DynamoDB request writes the record's "content may
// be at the server" mark: an UpdateItem that sets contentAt (Begin only
// names it in its condition), or a claim's PutItem whose item carries it
// (a warm one-flight send, sender/mark.go).
func marksContent(op string, body []byte) bool {
	var in struct {
		UpdateExpression string
		Item             map[string]json.RawMessage
	}
	_ = json.Unmarshal(body, &in)
	switch op {
	case "UpdateItem":
		return strings.Contains(in.UpdateExpression, "contentAt")
	case "PutItem":
		_, marked := in.Item["contentAt"]
		return marked
	}
	return false
}

// statusOf is a record's status, "none" when there is no record.
func statusOf(rec *gmailsend.Record) string {
	if rec == nil {
		return "none"
	}
	return string(rec.Status)
}
