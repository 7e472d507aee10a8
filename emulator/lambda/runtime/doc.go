// Package runtime runs a function's own code the way Lambda does, without
// containers: one OS process per execution environment, talking to a
// Runtime API that lambdalab serves for it on a loopback port of its own
// (AWS_LAMBDA_RUNTIME_API). It is the engine under emulator/lambda's
// environment seam; queues, retries, timeout timers, logs and
// START/END/REPORT stay in the service.
//
//	m := runtime.NewManager(runtime.WithPython(py))   // Close kills every process
//	pkg, err := m.Prepare(runtime.Spec{Function: "f", Runtime: "python3.12",
//		Handler: "lambda_function.lambda_handler", Code: "src/", Layers: []string{"pillow.zip"}})
//	if pkg.Changed() { pkg, err = m.Prepare(pkg.Spec()) } // before a new environment
//	pr, err := m.Start(pkg, functionEnv, memoryMB, sink) // sink gets stdout/stderr lines
//	err = pr.WaitInit(ctx)                               // first next; Init Duration = ReadyAt - SpawnedAt
//	res := pr.Invoke(ctx, runtime.Invocation{RequestID: id, Deadline: d, Payload: event})
//	pr.PeakMemoryMB()                                    // Max Memory Used
//	pr.Kill()                                            // timeout, crash, or retiring the environment
//
// Prepare turns code into a Package: a folder is copied and a .zip
// unzipped (safely: nothing lands outside, no symlink leaves, at most
// Lambda's 250 MB) into a private task root; for provided.* a Go main
// package folder is built with the machine's go into a build cache keyed by
// its module-local sources. Layers (at most 5) are merged in order into a
// private /opt. Changed tells when the files on disk moved on.
//
// Start spawns the runtime — the bootstrap, /opt/bootstrap, Python's
// runtime client, or an explicit Command — in its own process group with a
// parent-death signal, with Lambda's environment and nothing of the host's.
// A per-Manager reaper kills the groups if lambdalab dies without Close,
// even by SIGKILL. Memory is sampled while an init or invocation runs;
// past Memory Size the group is killed and the result says OutOfMemory.
// Output lines reach the LineSink in order, and those written before a
// response are delivered before Invoke returns (a runtime that buffers its
// stdout must flush before posting; Python's client runs unbuffered). Lines
// a process writes between invocations arrive when they are written.
//
// After an Invoke whose ctx ended (Result.Abandoned), after an exit, and
// after WaitInit fails, the environment is done: Kill it. A process that
// leaves its process group (setsid) escapes Kill and the reaper.
//
// The Runtime API answers as Lambda's runtime interface emulator does: the
// same paths, headers, 202s, and error bodies for a wrong request id
// (400 InvalidRequestID), a second response (403 InvalidStateTransition),
// an oversized response (413, and Function.ResponseSizeTooLarge for the
// invocation) and unknown paths (404).
package runtime
