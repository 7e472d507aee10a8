// Command killparent starts a few execution environments whose processes
// start children of their own, says "ready", and waits to be killed: the
// runtime package's test SIGKILLs it and checks that nothing it started
// survives.
//
//	killparent CACHE-DIR MARKER ENVIRONMENTS
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/lambdalab/lambdalab/emulator/lambda/runtime"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: killparent CACHE-DIR MARKER ENVIRONMENTS")
		os.Exit(2)
	}
	n, _ := strconv.Atoi(os.Args[3])
	m := runtime.NewManager(runtime.WithCacheDir(os.Args[1]))
	pkg, err := m.Prepare(runtime.Spec{Function: "fork", Runtime: runtime.ProvidedAL2023, Handler: "fork",
		Command: []string{"/bin/sh", "-c", "sleep 1000 & sleep 1000 & echo started; wait"}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	started := make(chan string, n)
	for range n {
		_, err := m.Start(pkg, map[string]string{"LAMBDALAB_TEST_MARKER": os.Args[2]}, 128, sink(started))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	for range n {
		<-started // each shell has started its children
	}
	fmt.Println("ready")
	select {}
}

type sink chan string

func (s sink) Line(l string) { s <- l }
