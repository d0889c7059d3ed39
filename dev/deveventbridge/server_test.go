package deveventbridge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func start(t *testing.T, buses ...string) (*Server, *eventbridge.Client) {
	t.Helper()
	s := Start(buses...)
	t.Cleanup(s.Close)
	return s, s.Client()
}

func entry(bus, detail string) types.PutEventsRequestEntry {
	return types.PutEventsRequestEntry{EventBusName: aws.String(bus), Source: aws.String("gmailsend"),
		DetailType: aws.String("message.sent"), Detail: aws.String(detail)}
}

// The SDK parses the answer of a call with accepted and failed entries:
// event ids for the first, ErrorCode and ErrorMessage for the rest, and
// FailedEntryCount; what was accepted is recorded with its fields.
func TestPutEventsAnswerParsesInSDK(t *testing.T) {
	s, c := start(t, "status")
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	ok := entry("status", `{"id":"m1"}`)
	ok.Time, ok.Resources = &at, []string{"arn:x:1"}
	byARN := entry(BusARN("status"), `{"id":"m2"}`)
	s.FailNext(1, "ThrottlingException")
	out, err := c.PutEvents(ctxT(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		entry("status", `{"id":"throttled"}`), ok, byARN,
		entry("status", `[1,2]`), entry("nosuchbus", `{}`), {Source: aws.String("gmailsend"), Detail: aws.String(`{}`)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	wantCodes := []string{"ThrottlingException", "", "", "MalformedDetail", "ResourceNotFoundException", "InvalidArgument"}
	if out.FailedEntryCount != 4 || len(out.Entries) != len(wantCodes) {
		t.Fatalf("FailedEntryCount %d, %d entries", out.FailedEntryCount, len(out.Entries))
	}
	for i, e := range out.Entries {
		code := aws.ToString(e.ErrorCode)
		if code != wantCodes[i] || (code == "") == (aws.ToString(e.EventId) == "") || (code != "" && aws.ToString(e.ErrorMessage) == "") {
			t.Errorf("entry %d = {EventId %q ErrorCode %q ErrorMessage %q}, want code %q", i, aws.ToString(e.EventId), code, aws.ToString(e.ErrorMessage), wantCodes[i])
		}
	}
	got := s.Events()
	if len(got) != 2 || got[0].Detail != `{"id":"m1"}` || !got[0].Time.Equal(at) || got[0].Bus != "status" ||
		got[0].Source != "gmailsend" || got[0].DetailType != "message.sent" || len(got[0].Resources) != 1 || got[0].Resources[0] != "arn:x:1" {
		t.Fatalf("events %+v", got)
	}
	if got[1].Bus != "status" || got[1].ID != aws.ToString(out.Entries[2].EventId) || time.Since(got[1].Time) > time.Minute {
		t.Fatalf("entry by ARN, without Time: %+v", got[1])
	}
}

// A call over PutEvents' limits (11 entries; entries over 256 KiB together
// as EventBridge counts them) is refused whole with ValidationException,
// and one at the limit exactly passes.
func TestPutEventsLimits(t *testing.T) {
	s, c := start(t)
	var eleven []types.PutEventsRequestEntry
	for i := range 11 {
		eleven = append(eleven, entry("default", fmt.Sprintf(`{"i":%d}`, i)))
	}
	var invalid smithy.APIError
	if _, err := c.PutEvents(ctxT(t), &eventbridge.PutEventsInput{Entries: eleven}); !errors.As(err, &invalid) || invalid.ErrorCode() != "ValidationException" {
		t.Fatalf("11 entries: %v", err)
	}
	// Two entries of 128 KiB each by the documented count: 14 (Time) +
	// Source + DetailType + Detail + Resources.
	at := time.Now()
	fixed := 14 + len("gmailsend") + len("message.sent") + len("arn:r")
	half := func(extra int) types.PutEventsRequestEntry {
		e := entry("default", `{"p":"`+strings.Repeat("x", 128<<10-fixed-len(`{"p":""}`)+extra)+`"}`)
		e.Time, e.Resources = &at, []string{"arn:r"}
		return e
	}
	if _, err := c.PutEvents(ctxT(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{half(0), half(1)}}); !errors.As(err, &invalid) || !strings.Contains(invalid.ErrorMessage(), "over the limit") {
		t.Fatalf("256 KiB + 1: %v", err)
	}
	out, err := c.PutEvents(ctxT(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{half(0), half(0)}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("256 KiB exactly: %v %+v", err, out)
	}
	reqs := s.Requests()
	if len(reqs) != 3 || reqs[0].Failed != -1 || reqs[1].Bytes != MaxRequestBytes+1 || reqs[2].Bytes != MaxRequestBytes || reqs[2].Failed != 0 {
		t.Fatalf("requests %+v", reqs)
	}
}

// CreateEventBus through the SDK makes a bus PutEvents accepts; creating it
// again is ResourceAlreadyExistsException.
func TestCreateEventBus(t *testing.T) {
	s, c := start(t)
	out, err := c.CreateEventBus(ctxT(t), &eventbridge.CreateEventBusInput{Name: aws.String("status")})
	if err != nil || aws.ToString(out.EventBusArn) != BusARN("status") {
		t.Fatalf("CreateEventBus: %+v %v", out, err)
	}
	var exists *types.ResourceAlreadyExistsException
	if _, err := c.CreateEventBus(ctxT(t), &eventbridge.CreateEventBusInput{Name: aws.String("status")}); !errors.As(err, &exists) {
		t.Fatalf("second CreateEventBus: %v", err)
	}
	if _, err := c.PutEvents(ctxT(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry("status", `{}`)}}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.WaitEvents(ctxT(t), 1); err != nil || got[0].Bus != "status" {
		t.Fatalf("WaitEvents: %+v %v", got, err)
	}
}

// FailWhere fails the entries its rule picks on every call; a stalled call
// whose client gives up records nothing.
func TestFailWhereAndStall(t *testing.T) {
	s, c := start(t)
	s.FailWhere(func(e Event) string {
		if strings.Contains(e.Detail, "bad") {
			return "InternalFailure"
		}
		return ""
	})
	for range 2 {
		out, err := c.PutEvents(ctxT(t), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry("default", `{"bad":1}`), entry("default", `{}`)}})
		if err != nil || out.FailedEntryCount != 1 || aws.ToString(out.Entries[0].ErrorCode) != "InternalFailure" {
			t.Fatalf("%+v %v", out, err)
		}
	}
	s.Stall(5 * time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry("default", `{}`)}}); err == nil {
		t.Fatal("a stalled call answered before the deadline")
	}
	s.Stall(0)
	wait, cancelWait := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancelWait()
	if got, err := s.WaitEvents(wait, 3); err == nil {
		t.Fatalf("the abandoned call was accepted: %+v", got)
	}
	if n := len(s.Events()); n != 2 {
		t.Fatalf("%d events, want 2", n)
	}
}
