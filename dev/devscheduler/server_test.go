package devscheduler

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/gmailsend/gmailsend/dev/devsqs"
)

func setup(t *testing.T) (*Server, *scheduler.Client, *devsqs.Server) {
	t.Helper()
	q := devsqs.Start()
	t.Cleanup(q.Close)
	q.CreateQueue("send", devsqs.QueueOptions{})
	s := Start(q)
	t.Cleanup(s.Close)
	return s, s.Client(), q
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func create(t *testing.T, c *scheduler.Client, name string, at time.Time) error {
	_, err := c.CreateSchedule(ctxT(t), &scheduler.CreateScheduleInput{
		Name: aws.String(name), GroupName: aws.String("gmailsend"),
		ScheduleExpression:    aws.String("at(" + at.UTC().Format("2006-01-02T15:04:05") + ")"),
		FlexibleTimeWindow:    &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff},
		ActionAfterCompletion: types.ActionAfterCompletionDelete,
		Target: &types.Target{
			Arn: aws.String(devsqs.QueueARN("send")), RoleArn: aws.String("arn:aws:iam::000000000000:role/scheduler"),
			Input: aws.String(`{"id":"` + name + `"}`),
		},
	})
	return err
}

// A one-time at() schedule created with the real SDK client puts its Input
// on the target queue at its time, not before, and is then deleted.
func TestScheduleFiresAtItsTime(t *testing.T) {
	s, c, q := setup(t)
	at := time.Now().Add(1500 * time.Millisecond).Truncate(time.Second).Add(time.Second)
	if err := create(t, c, "m1", at); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetSchedule(ctxT(t), &scheduler.GetScheduleInput{Name: aws.String("m1"), GroupName: aws.String("gmailsend")})
	if err != nil || aws.ToString(got.Target.Input) != `{"id":"m1"}` || got.ActionAfterCompletion != types.ActionAfterCompletionDelete {
		t.Fatalf("GetSchedule = %+v, %v", got, err)
	}
	for time.Now().Before(at.Add(-100 * time.Millisecond)) {
		if len(q.Messages("send")) != 0 {
			t.Fatal("schedule fired before its time")
		}
		time.Sleep(50 * time.Millisecond)
	}
	deadline := time.Now().Add(3 * time.Second)
	for len(q.Messages("send")) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	msgs := q.Messages("send")
	if len(msgs) != 1 || msgs[0].Body != `{"id":"m1"}` || msgs[0].SentAt.Before(at) {
		t.Fatalf("queue holds %+v (schedule time %v)", msgs, at)
	}
	if len(s.Schedules()) != 0 {
		t.Fatal("ActionAfterCompletion DELETE did not delete the schedule")
	}
}

// A deleted schedule never fires; deleting or getting it again is
// ResourceNotFoundException, and a duplicate name is ConflictException.
func TestDeleteAndErrors(t *testing.T) {
	s, c, q := setup(t)
	at := time.Now().Add(time.Second).Truncate(time.Second).Add(time.Second)
	if err := create(t, c, "m2", at); err != nil {
		t.Fatal(err)
	}
	var conflict *types.ConflictException
	if err := create(t, c, "m2", at); !errors.As(err, &conflict) {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := c.DeleteSchedule(ctxT(t), &scheduler.DeleteScheduleInput{Name: aws.String("m2"), GroupName: aws.String("gmailsend")}); err != nil {
		t.Fatal(err)
	}
	var missing *types.ResourceNotFoundException
	if _, err := c.DeleteSchedule(ctxT(t), &scheduler.DeleteScheduleInput{Name: aws.String("m2"), GroupName: aws.String("gmailsend")}); !errors.As(err, &missing) {
		t.Fatalf("second delete: %v", err)
	}
	time.Sleep(time.Until(at) + 300*time.Millisecond)
	if len(q.Messages("send")) != 0 || len(s.Fired()) != 0 {
		t.Fatal("a deleted schedule fired")
	}
	var invalid *types.ValidationException
	_, err := c.CreateSchedule(ctxT(t), &scheduler.CreateScheduleInput{
		Name: aws.String("bad"), ScheduleExpression: aws.String("rate(1 minute)"),
		FlexibleTimeWindow: &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff},
		Target:             &types.Target{Arn: aws.String("a"), RoleArn: aws.String("r")},
	})
	if !errors.As(err, &invalid) {
		t.Fatalf("rate expression: %v", err)
	}
}
