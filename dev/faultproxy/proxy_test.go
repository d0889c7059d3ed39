package faultproxy

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
)

// upstream is a stand-in service that answers every request with {} and
// remembers the operations it applied, in order.
type upstream struct {
	URL     string
	mu      sync.Mutex
	applied []string
}

func startUpstream(t *testing.T) *upstream {
	t.Helper()
	u := &upstream{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		u.mu.Lock()
		u.applied = append(u.applied, Operation(r))
		u.mu.Unlock()
		if r.Header.Get("X-Amz-Target") != "" {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	u.URL = srv.URL
	return u
}

func (u *upstream) Applied() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.applied...)
}

func startProxy(t *testing.T, target string, o Options) *Proxy {
	t.Helper()
	p, err := Start(target, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

var testCreds = credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")

// dynamoClient is the real SDK client through the proxy; attempts 1
// disables its retries.
func dynamoClient(url string, attempts int) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{Region: "us-east-1", Credentials: testCreds, BaseEndpoint: aws.String(url), RetryMaxAttempts: attempts})
}

func putItem(ctx context.Context, c *dynamodb.Client) error {
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"),
		Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}}})
	return err
}

func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// TestErrorFaultsAreWhatDynamoDBSends ensures each error fault reaches the real DynamoDB client as the error DynamoDB itself sends, and that nothing was applied.
func TestErrorFaultsAreWhatDynamoDBSends(t *testing.T) {
	up := startUpstream(t)
	for _, tc := range []struct {
		fault Fault
		code  string
	}{
		{ServerError, "InternalServerError"},
		{Throttled, "ThrottlingException"},
		{ThroughputExceeded, "ProvisionedThroughputExceededException"},
	} {
		p := startProxy(t, up.URL, Options{Hook: func(string, []byte, Phase) error { return tc.fault }})
		err := putItem(context.Background(), dynamoClient(p.URL, 1))
		if got := errorCode(err); got != tc.code {
			t.Errorf("%s: error code %q (%v), want %q", tc.fault, got, err, tc.code)
		}
		if tc.fault == ThroughputExceeded {
			var pte *types.ProvisionedThroughputExceededException
			if !errors.As(err, &pte) {
				t.Errorf("%s: not the SDK's typed exception: %T", tc.fault, err)
			}
		}
		if p.Injected()[tc.fault] != 1 {
			t.Errorf("%s: injected %v", tc.fault, p.Injected())
		}
	}
	if got := up.Applied(); len(got) != 0 {
		t.Fatalf("the service applied %v; an error fault forwards nothing", got)
	}
}

// TestSDKRetriesPassFaultsThatApplyNothing ensures the SDK's own retries get a write through a 500 or a throttle, applied once.
func TestSDKRetriesPassFaultsThatApplyNothing(t *testing.T) {
	up := startUpstream(t)
	var n int
	p := startProxy(t, up.URL, Options{Hook: func(op string, _ []byte, ph Phase) error {
		if ph == Before {
			n++
			if n <= 2 {
				return []Fault{ServerError, Throttled}[n-1]
			}
		}
		return nil
	}})
	if err := putItem(context.Background(), dynamoClient(p.URL, 3)); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(up.Applied(), ","); got != "PutItem" {
		t.Fatalf("applied %s, want one PutItem", got)
	}
}

// TestLostAnswerIsAppliedAndRetried ensures a lost answer (reset or 500 after the write) leaves the write applied, and the SDK's retry applies it a second time: what a conditional write must be ready for.
func TestLostAnswerIsAppliedAndRetried(t *testing.T) {
	for _, f := range []Fault{LostReset, Lost500} {
		t.Run(f.String(), func(t *testing.T) {
			up := startUpstream(t)
			var lost sync.Once
			p := startProxy(t, up.URL, Options{Hook: func(op string, _ []byte, ph Phase) error {
				var out error
				if ph == Applied {
					lost.Do(func() { out = f })
				}
				return out
			}})
			if err := putItem(context.Background(), dynamoClient(p.URL, 1)); err == nil {
				t.Fatal("without retries the lost answer is an error")
			}
			if got := len(up.Applied()); got != 1 {
				t.Fatalf("applied %d times, want 1 (the answer was lost, not the write)", got)
			}
			if err := putItem(context.Background(), dynamoClient(p.URL, 3)); err != nil {
				t.Fatal(err)
			}
			if got := len(up.Applied()); got != 2 {
				t.Fatalf("applied %d times, want 2", got)
			}
		})
	}
	// A random lost answer, too, is applied, and observed.
	up := startUpstream(t)
	var observed []string
	p := startProxy(t, up.URL, Options{Rate: 1, Faults: []Fault{LostReset}, Observe: func(op string, body []byte, f Fault) {
		observed = append(observed, op+" "+f.String()+" "+strconv.FormatBool(strings.Contains(string(body), `"pk"`)))
	}})
	if err := putItem(context.Background(), dynamoClient(p.URL, 1)); err == nil || len(up.Applied()) != 1 {
		t.Fatalf("random lost answer: %v, applied %v", err, up.Applied())
	}
	if got := strings.Join(observed, ","); got != "PutItem lost-reset true" {
		t.Fatalf("observed %q", got)
	}
}

// TestStallOutlastsTheClient ensures a stall ends the client's call at its own deadline; a plain stall is never applied, a stall-applied request is applied after the client gave up.
func TestStallOutlastsTheClient(t *testing.T) {
	for _, tc := range []struct {
		fault   Fault
		applied int
	}{{Stall, 0}, {StallApplied, 1}} {
		t.Run(tc.fault.String(), func(t *testing.T) {
			up := startUpstream(t)
			p := startProxy(t, up.URL, Options{Rate: 1, Faults: []Fault{tc.fault}, StallFor: 400 * time.Millisecond})
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			err := putItem(ctx, dynamoClient(p.URL, 1))
			if err == nil || time.Since(start) > 300*time.Millisecond {
				t.Fatalf("call ended after %s with %v; want its deadline", time.Since(start), err)
			}
			time.Sleep(600 * time.Millisecond)
			if got := len(up.Applied()); got != tc.applied {
				t.Fatalf("applied %d times, want %d", got, tc.applied)
			}
		})
	}
}

// TestHookSeesOperationsAndPhases ensures the hook sees each request's operation and body before it is forwarded, and again only once the service applied it.
func TestHookSeesOperationsAndPhases(t *testing.T) {
	up := startUpstream(t)
	var mu sync.Mutex
	var seen []string
	p := startProxy(t, up.URL, Options{Hook: func(op string, body []byte, ph Phase) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, op+"/"+ph.String())
		if !strings.Contains(string(body), `"TableName":"t"`) {
			t.Errorf("%s body %s", op, body)
		}
		if op == "GetItem" && ph == Before {
			return Throttled // not applied: no Applied phase
		}
		return nil
	}})
	c := dynamoClient(p.URL, 1)
	_ = putItem(context.Background(), c)
	_, _ = c.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("t"),
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}}})
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(seen, " "); got != "PutItem/before PutItem/applied GetItem/before" {
		t.Fatalf("hook saw %s", got)
	}
	if p.Requests("PutItem") != 1 || p.Requests("GetItem") != 1 {
		t.Fatalf("requests PutItem %d GetItem %d", p.Requests("PutItem"), p.Requests("GetItem"))
	}
}

// TestRandomFaultsAreSeeded ensures the same seed draws the same faults for the same sequence of requests, a rate of 0 draws none, and Ops spares the operations it excludes.
func TestRandomFaultsAreSeeded(t *testing.T) {
	up := startUpstream(t)
	run := func(o Options) string {
		p := startProxy(t, up.URL, o)
		c := dynamoClient(p.URL, 1)
		var out strings.Builder
		for range 40 {
			if code := errorCode(putItem(context.Background(), c)); code != "" {
				out.WriteString(code[:1])
			} else {
				out.WriteString(".")
			}
		}
		return out.String()
	}
	errorsOnly := []Fault{ServerError, Throttled, ThroughputExceeded}
	a := run(Options{Seed: 7, Rate: 0.5, Faults: errorsOnly})
	if b := run(Options{Seed: 7, Rate: 0.5, Faults: errorsOnly}); a != b {
		t.Fatalf("seed 7 drew %s, then %s", a, b)
	}
	if c := run(Options{Seed: 8, Rate: 0.5, Faults: errorsOnly}); a == c {
		t.Fatalf("seeds 7 and 8 drew the same %s", a)
	}
	if !strings.Contains(a, ".") || strings.Count(a, ".") == len(a) {
		t.Fatalf("rate 0.5 drew %s", a)
	}
	if z := run(Options{Seed: 7, Faults: errorsOnly}); strings.Trim(z, ".") != "" {
		t.Fatalf("rate 0 drew %s", z)
	}
	if s := run(Options{Seed: 7, Rate: 1, Faults: errorsOnly, Ops: func(op string) bool { return op != "PutItem" }}); strings.Trim(s, ".") != "" {
		t.Fatalf("Ops excluded PutItem, yet it drew %s", s)
	}
}

// TestSQSAndSchedulerErrorsAreTheirOwn ensures SQS (AWS JSON) and EventBridge Scheduler (REST-JSON) clients read the injected errors as those services' own, and Scheduler's operations are named from the method.
func TestSQSAndSchedulerErrorsAreTheirOwn(t *testing.T) {
	up := startUpstream(t)
	p := startProxy(t, up.URL, Options{Hook: func(op string, _ []byte, ph Phase) error {
		if ph == Before && op != "DeleteSchedule" {
			return Throttled
		}
		return nil
	}})
	q := sqs.New(sqs.Options{Region: "us-east-1", Credentials: testCreds, BaseEndpoint: aws.String(p.URL), RetryMaxAttempts: 1})
	_, err := q.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(p.URL + "/000000000000/q"), MessageBody: aws.String("x")})
	if got := errorCode(err); got != "RequestThrottled" {
		t.Errorf("SQS error code %q (%v)", got, err)
	}
	s := scheduler.New(scheduler.Options{Region: "us-east-1", Credentials: testCreds, BaseEndpoint: aws.String(p.URL), RetryMaxAttempts: 1})
	_, err = s.CreateSchedule(context.Background(), &scheduler.CreateScheduleInput{Name: aws.String("n"), GroupName: aws.String("g"),
		ScheduleExpression: aws.String("at(2030-01-01T00:00:00)"), FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		Target: &schedtypes.Target{Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:q"), RoleArn: aws.String("arn:aws:iam::000000000000:role/r")}})
	var thr *schedtypes.ThrottlingException
	if !errors.As(err, &thr) {
		t.Errorf("Scheduler error %T %v, want its ThrottlingException", err, err)
	}
	if _, err := s.DeleteSchedule(context.Background(), &scheduler.DeleteScheduleInput{Name: aws.String("n"), GroupName: aws.String("g")}); err != nil {
		t.Errorf("DeleteSchedule: %v", err)
	}
	if got := strings.Join(up.Applied(), ","); got != "DeleteSchedule" {
		t.Fatalf("applied %s, want only DeleteSchedule", got)
	}
	if p.Requests("SendMessage") != 1 || p.Requests("CreateSchedule") != 1 {
		t.Fatalf("requests SendMessage %d CreateSchedule %d", p.Requests("SendMessage"), p.Requests("CreateSchedule"))
	}
}
