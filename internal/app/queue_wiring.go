package app

import (
	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/awsscheduler"
	"github.com/gmailsend/gmailsend/internal/sender"
	"github.com/gmailsend/gmailsend/internal/sqsqueue"
)

var queueDefaults = sender.DefaultQueueing()

// wireQueue gives the sender the send queue (SEND_QUEUE_URL) and, with a
// schedule group, role and queue ARN, EventBridge Scheduler. Queued sends
// also need the message table (wireStore). Nothing connects here.
func wireQueue(s *sender.Sender, cfg Config, parts Parts) {
	s.Queueing = sender.Queueing{
		MaxBatch: cfg.MaxBatchMessages, MaxQueuedBytes: cfg.MaxQueuedMessageBytes,
		MinAhead: cfg.MinScheduleAhead, MaxAhead: cfg.MaxScheduleAhead,
	}
	moves, ok := s.Records.(gmailsend.Transitions)
	if cfg.SendQueueURL == "" || !ok {
		return
	}
	s.Queueing.Moves = moves
	if parts.SQS != nil {
		s.Queueing.Queue = sqsqueue.NewWithAPI(cfg.SendQueueURL, parts.SQS)
	} else {
		s.Queueing.Queue = sqsqueue.New(cfg.SendQueueURL)
	}
	if cfg.ScheduleGroup == "" || cfg.SchedulerRoleARN == "" || cfg.SendQueueARN == "" {
		return
	}
	var sch *awsscheduler.Schedules
	if parts.Scheduler != nil {
		sch = awsscheduler.NewWithAPI(cfg.ScheduleGroup, cfg.SendQueueARN, cfg.SchedulerRoleARN, parts.Scheduler)
	} else {
		sch = awsscheduler.New(cfg.ScheduleGroup, cfg.SendQueueARN, cfg.SchedulerRoleARN)
	}
	sch.KMSKeyARN = cfg.ScheduleKMSKeyARN
	s.Queueing.Schedules = sch
}

// deadLetterQueue is where failures carrying an inline secret are parked
// without it (DEAD_LETTER_QUEUE_URL); nil without one.
func deadLetterQueue(cfg Config, parts Parts) gmailsend.Queue {
	if cfg.DeadLetterQueueURL == "" {
		return nil
	}
	if parts.SQS != nil {
		return sqsqueue.NewWithAPI(cfg.DeadLetterQueueURL, parts.SQS)
	}
	return sqsqueue.New(cfg.DeadLetterQueueURL)
}
