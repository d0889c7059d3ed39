// Package awsscheduler creates and deletes the one-time EventBridge
// Scheduler schedules of scheduled sends with the AWS SDK for Go v2. A
// schedule puts the queued request on the send queue at its time; the
// queue's consumer sends it. The SDK is configured from the environment
// (package awsenv; AWS_ENDPOINT_URL_SCHEDULER points it elsewhere), on first use.
//
// It keeps nothing: the message record (the domain package at the module root) says whether a
// schedule exists.
package awsscheduler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/awsenv"
)

// API is the Scheduler calls the package makes; IAM in template.yaml
// allows exactly these on the schedule group's schedules.
type API interface {
	CreateSchedule(ctx context.Context, in *scheduler.CreateScheduleInput, optFns ...func(*scheduler.Options)) (*scheduler.CreateScheduleOutput, error)
	DeleteSchedule(ctx context.Context, in *scheduler.DeleteScheduleInput, optFns ...func(*scheduler.Options)) (*scheduler.DeleteScheduleOutput, error)
	GetSchedule(ctx context.Context, in *scheduler.GetScheduleInput, optFns ...func(*scheduler.Options)) (*scheduler.GetScheduleOutput, error)
}

var _ API = (*scheduler.Client)(nil)

var _ gmailsend.Schedules = (*Schedules)(nil)

// Schedules creates schedules in one group that target one queue.
type Schedules struct {
	Group    string // SCHEDULE_GROUP
	QueueARN string // SEND_QUEUE_ARN: the target
	RoleARN  string // SCHEDULER_ROLE_ARN: may only sqs:SendMessage to the queue
	// KMSKeyARN (SCHEDULE_KMS_KEY_ARN) encrypts a schedule's input, the
	// queued request, with a customer managed key; empty uses the key
	// Scheduler owns.
	KMSKeyARN string
	// CallTimeout bounds each call inside the caller's deadline (5 s when zero).
	CallTimeout time.Duration

	api *awsenv.Lazy[API]
}

// New returns schedules reached through the environment's configuration
// (awsenv), loaded on first use.
func New(group, queueARN, roleARN string) *Schedules {
	return &Schedules{Group: group, QueueARN: queueARN, RoleARN: roleARN,
		api: awsenv.LazyClient(awsenv.Scheduler, 2, func(cfg aws.Config) API { return scheduler.NewFromConfig(cfg) })}
}

// NewWithAPI returns schedules over a ready client.
func NewWithAPI(group, queueARN, roleARN string, api API) *Schedules {
	return &Schedules{Group: group, QueueARN: queueARN, RoleARN: roleARN, api: awsenv.Ready(api)}
}

// Name is the schedule name of a record's request: names allow
// [0-9a-zA-Z-_.]{1,64}. The fingerprint's part makes a corrected retry of
// the same idempotency key (same record id, other content or time) a
// different schedule: the one an earlier attempt left fires a payload the
// consumer refuses (its fingerprint is not the record's).
func Name(recordID, fingerprint string) string {
	sum := sha256.Sum256([]byte(fingerprint))
	return "msg-" + recordID + "-" + hex.EncodeToString(sum[:6])
}

// Expression is the at() expression for t: UTC, rounded up to the second,
// so a schedule never fires before the time the caller asked for.
func Expression(t time.Time) string {
	t = t.UTC()
	if r := t.Truncate(time.Second); !r.Equal(t) {
		t = r.Add(time.Second)
	}
	return "at(" + t.Format("2006-01-02T15:04:05") + ")"
}

// Create makes the one-time schedule of record id's request: at `at`,
// exactly (no flexible window), deleting itself after it fires, putting
// input on the send queue. Creating it again (a retried request whose
// first answer was lost) is not an error when the schedule found has the
// same time and input; read back to be sure, as a name is all a conflict
// says.
func (s *Schedules) Create(ctx context.Context, id, fingerprint string, at time.Time, input string) error {
	api, err := s.client(ctx)
	if err != nil {
		return unavailable("loading the AWS configuration", err)
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	name := Name(id, fingerprint)
	_, err = api.CreateSchedule(ctx, &scheduler.CreateScheduleInput{
		Name:                       aws.String(name),
		GroupName:                  aws.String(s.Group),
		ScheduleExpression:         aws.String(Expression(at)),
		ScheduleExpressionTimezone: aws.String("UTC"),
		FlexibleTimeWindow:         &types.FlexibleTimeWindow{Mode: types.FlexibleTimeWindowModeOff},
		ActionAfterCompletion:      types.ActionAfterCompletionDelete,
		KmsKeyArn:                  optional(s.KMSKeyARN),
		// The token makes a retried call of the same request one schedule.
		ClientToken: aws.String(name),
		Target: &types.Target{
			Arn:         aws.String(s.QueueARN),
			RoleArn:     aws.String(s.RoleARN),
			Input:       aws.String(input),
			RetryPolicy: &types.RetryPolicy{MaximumEventAgeInSeconds: aws.Int32(86400), MaximumRetryAttempts: aws.Int32(185)},
		},
	})
	var conflict *types.ConflictException
	if errors.As(err, &conflict) {
		return s.same(ctx, api, name, at, input)
	}
	if err != nil {
		return unavailable("CreateSchedule", err)
	}
	return nil
}

// same checks that the existing schedule name fires input at `at`.
func (s *Schedules) same(ctx context.Context, api API, name string, at time.Time, input string) error {
	got, err := api.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(name), GroupName: aws.String(s.Group)})
	if err != nil {
		return unavailable("GetSchedule after a conflict", err)
	}
	if aws.ToString(got.ScheduleExpression) == Expression(at) && got.Target != nil && aws.ToString(got.Target.Input) == input {
		return nil
	}
	return &gmailsend.Error{Code: gmailsend.CodeIdempotencyConflict,
		Message: "a schedule for this idempotency key already exists with another time or content; send the corrected request with a new key",
		Err:     fmt.Errorf("awsscheduler: schedule %s exists with other content", name)}
}

// optional is nil for "", so an unset key is left out of the request.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Delete removes the schedule of record id; gmailsend.ErrNoSchedule when it does
// not exist (it fired already, or was never made).
func (s *Schedules) Delete(ctx context.Context, id, fingerprint string) error {
	api, err := s.client(ctx)
	if err != nil {
		return unavailable("loading the AWS configuration", err)
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	_, err = api.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String(Name(id, fingerprint)), GroupName: aws.String(s.Group)})
	var missing *types.ResourceNotFoundException
	if errors.As(err, &missing) {
		return gmailsend.ErrNoSchedule
	}
	if err != nil {
		return unavailable("DeleteSchedule", err)
	}
	return nil
}

func (s *Schedules) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	d := s.CallTimeout
	if d <= 0 {
		d = 5 * time.Second
	}
	return context.WithTimeout(ctx, d)
}

func (s *Schedules) client(ctx context.Context) (API, error) { return s.api.Get(ctx) }

func unavailable(step string, err error) *gmailsend.Error {
	return &gmailsend.Error{Code: gmailsend.CodeQueueUnavailable, Message: "EventBridge Scheduler could not be reached; try again",
		Err: fmt.Errorf("awsscheduler: %s: %w", step, err)}
}
