package app

import (
	"os"
	"runtime"
	"sync"
)

// OneProcAfterStart makes the Go scheduler run on one P from the first
// invocation on, once the start's background work (parsing the root
// certificates, beside init on another core) is done. The bootstrap calls
// it; tests, which build apps in their own process, do not. A GOMAXPROCS
// variable, if set, wins.
//
// Why: the function does one thing at a time (one invocation, a batch's
// records in turn) and waits on the network for most of it. A second P
// mostly runs the garbage collector's idle mark workers, CPU that Lambda
// bills as duration when its share of a core is small (256 MB is about a
// seventh of one), and it splits sync.Pool caches per P, so the runtime
// client's pooled payload buffer was often missed and regrown during the
// next read, a collection then sizing the heap for both copies. Init keeps
// both cores: the switch waits for the first invocation. `make bench`
// measures it (docs/performance.md).
func (a *App) OneProcAfterStart() {
	if os.Getenv("GOMAXPROCS") != "" { // the runtime ignores it empty too
		return
	}
	a.oneProc = new(sync.Once)
}

// settleProcs is called by every invocation (lambda_entry.go).
func (a *App) settleProcs() {
	if a.oneProc == nil {
		return
	}
	a.oneProc.Do(func() {
		go func() {
			<-a.started
			runtime.GOMAXPROCS(1)
		}()
	})
}
