// Package devscheduler is a local Amazon EventBridge Scheduler endpoint
// speaking the service's REST-JSON wire protocol (CreateSchedule is POST
// /schedules/{Name}, GetSchedule GET, DeleteSchedule DELETE, the group in
// ?groupName=), so the real AWS SDK client can be pointed at it with
// AWS_ENDPOINT_URL_SCHEDULER or BaseEndpoint. It fires one-time at(...)
// schedules at their time by handing the target's Input to the target
// queue, and deletes them afterwards when ActionAfterCompletion is DELETE.
//
// It is development tooling: no rate or cron expressions, no other target
// types, no retry policies, nothing persisted.
package devscheduler

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
)

// QueueTarget receives what a schedule fires; *devsqs.Server is one.
type QueueTarget interface {
	DeliverToARN(arn, body string) error
}

// Schedule is a schedule as the endpoint holds it.
type Schedule struct {
	Name, Group           string
	Expression, Timezone  string
	ActionAfterCompletion string
	FlexibleWindowMode    string
	TargetARN, RoleARN    string
	Input                 string
	KMSKeyARN             string    // the customer managed key of its input ("" for AWS owned)
	At                    time.Time // the at(...) time
	Created               time.Time
	// Fired is when it fired (zero until then); FireErr is a target
	// failure, as Scheduler would log it.
	Fired   time.Time
	FireErr error

	timer *time.Timer
}

// Server is a running endpoint.
type Server struct {
	URL string

	srv       *httptest.Server
	target    QueueTarget
	mu        sync.Mutex
	schedules map[string]*Schedule // by group + "/" + name
	fired     []Schedule
	calls     map[string]int
	// loseAnswer, when set and true for a schedule's name, makes a
	// CreateSchedule that was applied answer 500 (LoseAnswers).
	loseAnswer func(name string) bool
}

// LoseAnswers makes every CreateSchedule of a name lose(name) approves be
// applied and then answered 500 InternalServerException, as a call whose
// answer is lost on the way back looks to its client; nil stops it.
func (s *Server) LoseAnswers(lose func(name string) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loseAnswer = lose
}

// Start serves on a loopback port until Close; fired schedules go to target.
func Start(target QueueTarget) *Server {
	s := &Server{target: target, schedules: map[string]*Schedule{}, calls: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the endpoint and every pending timer.
func (s *Server) Close() {
	s.srv.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sc := range s.schedules {
		sc.timer.Stop()
	}
}

// Client is the real AWS SDK client pointed at this endpoint, with static
// test credentials and no retries.
func (s *Server) Client() *scheduler.Client {
	return scheduler.New(scheduler.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "test-secret-key", ""),
		BaseEndpoint:     aws.String(s.URL),
		RetryMaxAttempts: 1,
	})
}

// Schedules returns a copy of the schedules that still exist.
func (s *Server) Schedules() []Schedule {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Schedule, 0, len(s.schedules))
	for _, sc := range s.schedules {
		out = append(out, *sc)
	}
	return out
}

// Fired returns the schedules that fired, in order.
func (s *Server) Fired() []Schedule {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Schedule(nil), s.fired...)
}

// Calls reports how many requests of an operation ("CreateSchedule") the
// endpoint answered.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// arm starts the schedule's timer; the caller holds the mutex.
func (s *Server) arm(key string, sc *Schedule) {
	sc.timer = time.AfterFunc(time.Until(sc.At), func() { s.fire(key, sc) })
}

func (s *Server) fire(key string, sc *Schedule) {
	s.mu.Lock()
	if s.schedules[key] != sc {
		s.mu.Unlock() // deleted or replaced meanwhile
		return
	}
	if sc.ActionAfterCompletion == "DELETE" {
		delete(s.schedules, key)
	}
	s.mu.Unlock()
	err := s.target.DeliverToARN(sc.TargetARN, sc.Input)
	s.mu.Lock()
	defer s.mu.Unlock()
	sc.Fired, sc.FireErr = time.Now(), err
	s.fired = append(s.fired, *sc)
}

// ScheduleARN is the ARN the endpoint gives a schedule.
func ScheduleARN(group, name string) string {
	return fmt.Sprintf("arn:aws:scheduler:us-east-1:000000000000:schedule/%s/%s", group, name)
}
