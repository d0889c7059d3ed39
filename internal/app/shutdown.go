package app

import (
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-lambda-go/lambda"
)

// HandleShutdown makes SIGTERM say QUIT to the kept SMTP sessions and
// exit, and returns the runtime loop's options. Call it once: each call
// installs a handler.
//
// Lambda sends SIGTERM before shutting an environment down only to a
// function with a registered extension. With SMTP_QUIT_ON_SHUTDOWN,
// aws-lambda-go registers one at start: an HTTP round trip to the
// Extensions API before the first event can be fetched, about 3.5 ms of
// every cold start here (docs/performance.md), for a QUIT that mostly
// reaches a connection Gmail dropped during the idle minutes before a
// shutdown. So it is opt-in; otherwise the handler is installed without
// registering, and still runs when something else sends SIGTERM: another
// extension's registration (Lambda then signals the runtime too), `make
// run`, or a test.
func (a *App) HandleShutdown() []lambda.Option {
	quit := func() {
		a.Close()
		os.Exit(0)
	}
	if a.quitOnShutdown {
		return []lambda.Option{lambda.WithEnableSIGTERM(quit)}
	}
	sigterm := make(chan os.Signal, 1)
	signal.Notify(sigterm, syscall.SIGTERM)
	go func() {
		<-sigterm
		quit()
	}()
	return nil
}
