package benchmark

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
)

// eventThroughput writes cfg.EventRecords status changes through the
// stream stand-in, with neither mapping running, then drains them through
// one events function: the stream first (onto the bus and the webhook
// queue), then the queue (to the receiver). The pipeline delivers to the
// development server, though nothing is sent: the changes are written as
// the send function writes a send's (dynamostore's Claim, then Finish),
// as API key "bench"'s messages, so each is one message.sent event with
// one webhook delivery.
func eventThroughput(ctx context.Context, cfg Config, bootstrap string, st *devstack.Stack) (EventThroughput, error) {
	var r EventThroughput
	p, err := startEventsPipeline(ctx, cfg, bootstrap, st, devTarget(st, cfg.RTT), 0)
	if err != nil {
		return r, err
	}
	defer p.Close()
	// The records are written straight to the stand-in, undelayed: only
	// the drain is measured.
	table := dynamostore.NewWithAPI(devstack.LocalTable, dynalite.NewClient(p.ev.Stream.URL))
	// One change first, drained with the registration's own records: the
	// events function warm and the key's subscriptions cached.
	if err := writeSends(ctx, table, 0, 1); err != nil {
		return r, err
	}
	if err := p.ev.Drain(ctx); err != nil {
		return r, err
	}
	stream := p.ev.Stream.Stream(devstack.LocalTable)
	records0, bus0, hooks0 := stream.Len(), len(p.ev.Bus.Events()), p.hook.count()
	if err := writeSends(ctx, table, 1, cfg.EventRecords); err != nil {
		return r, err
	}
	r.Records = stream.Len() - records0
	p.eventsAWS.reset()
	stream0, queue0 := p.ev.Invocations()
	t0 := time.Now()
	if err := p.ev.DrainStream(ctx); err != nil {
		return r, err
	}
	r.ToBus = time.Since(t0)
	t1 := time.Now()
	if err := p.ev.Drain(ctx); err != nil {
		return r, err
	}
	r.ToWebhooks = time.Since(t1)
	stream1, queue1 := p.ev.Invocations()
	r.StreamCalls, r.QueueCalls = stream1-stream0, queue1-queue0
	r.Events, r.Deliveries = len(p.ev.Bus.Events())-bus0, p.hook.count()-hooks0
	r.Requests = p.eventsAWS.counts()
	if r.Events != cfg.EventRecords || r.Deliveries != cfg.EventRecords {
		return r, fmt.Errorf("%d changes made %d events on the bus and %d deliveries", cfg.EventRecords, r.Events, r.Deliveries)
	}
	return r, nil
}

// writeSends writes n messages' status changes, numbered from first, as
// a send writes them: the claim (sending, no event), then the outcome
// (sent). Eight writers at once, as several send functions would.
func writeSends(ctx context.Context, table *dynamostore.Table, first, n int) error {
	const writers = 8
	next := make(chan int)
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := writeSend(ctx, table, i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var err error
feed:
	for i := first; i < first+n; i++ {
		select {
		case next <- i:
		case err = <-errs:
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err == nil && len(errs) > 0 {
		err = <-errs
	}
	return err
}

func writeSend(ctx context.Context, table *dynamostore.Table, i int) error {
	now := time.Now().UTC()
	r := &gmailsend.Record{ID: fmt.Sprintf("bench-event-%06d", i), Status: gmailsend.StatusSending, Account: "bench-desk",
		Source: "apigateway-rest", Caller: "bench", Recipients: 1, CreatedAt: now, UpdatedAt: now,
		ExpiresAt: now.Add(24 * time.Hour), LeaseUntil: now.Add(time.Minute), Token: fmt.Sprintf("bench-token-%06d", i)}
	if _, err := table.Claim(ctx, r); err != nil {
		return err
	}
	r.Status, r.UpdatedAt, r.MessageID = gmailsend.StatusSent, time.Now().UTC(), fmt.Sprintf("<bench-%06d@gmail.com>", i)
	return table.Finish(ctx, r)
}
