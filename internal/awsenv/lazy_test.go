package awsenv_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gmailsend/gmailsend/internal/awsenv"
)

// TestLazyRetriesAFailedBuildAndKeepsASuccess ensures a failed build keeps nothing (the next Get builds again), a successful one is built once and shared by concurrent callers, and Ready never builds.
func TestLazyRetriesAFailedBuildAndKeepsASuccess(t *testing.T) {
	var builds atomic.Int32
	fail := true
	l := awsenv.NewLazy(func(context.Context) (*int, error) {
		builds.Add(1)
		if fail {
			return nil, errors.New("no region")
		}
		v := 7
		return &v, nil
	})
	ctx := context.Background()
	if v, err := l.Get(ctx); err == nil || v != nil {
		t.Fatalf("a failed build answered %v, %v", v, err)
	}
	fail = false
	var wg sync.WaitGroup
	got := make([]*int, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _ = l.Get(ctx)
		}()
	}
	wg.Wait()
	for _, v := range got {
		if v == nil || v != got[0] || *v != 7 {
			t.Fatalf("callers got %v", got)
		}
	}
	if n := builds.Load(); n != 2 {
		t.Fatalf("%d builds, want 2 (one failed, one kept)", n)
	}
	if v, err := awsenv.Ready("client").Get(ctx); v != "client" || err != nil {
		t.Fatalf("Ready: %q %v", v, err)
	}
}

// TestLazyClientFailsWithoutConfiguration ensures a client whose environment lacks a region is not built, says why, and is built by a later Get once the region is there.
func TestLazyClientFailsWithoutConfiguration(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	l := awsenv.LazyClient(awsenv.SQS, 2, func(cfg aws.Config) string { return cfg.Region })
	if _, err := l.Get(context.Background()); err == nil || !strings.Contains(err.Error(), "AWS_REGION") {
		t.Fatalf("built without a region: %v", err)
	}
	t.Setenv("AWS_REGION", "eu-west-1")
	if region, err := l.Get(context.Background()); err != nil || region != "eu-west-1" {
		t.Fatalf("after the region was set: %q %v", region, err)
	}
}
