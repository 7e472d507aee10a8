package scenarios

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
)

func TestVideoStepShapes(t *testing.T) {
	cases := []struct{ name, step, want string }{
		{"video without key", "uploadVideo: {bucket: b, seconds: 2, width: 64, height: 64, fps: 5}",
			"x.yaml:4:18: uploadVideo: uploadVideo needs bucket and key; the shape is " + Shapes["uploadVideo"]},
		{"video too long", "uploadVideo: {bucket: b, key: k, seconds: 601, width: 64, height: 64, fps: 5}", "x.yaml:4:18: uploadVideo: uploadVideo seconds: from 1 to 600"},
		{"odd width", "uploadVideo: {bucket: b, key: k, seconds: 2, width: 63, height: 64, fps: 5}", "x.yaml:4:18: uploadVideo: uploadVideo width and height: even"},
		{"no fps", "uploadVideo: {bucket: b, key: k, seconds: 2, width: 64, height: 64}", "x.yaml:4:18: uploadVideo: uploadVideo fps: from 1 to 60"},
		{"video field misspelt", "uploadVideo: {bucket: b, key: k, second: 2}", `x.yaml:4:38: uploadVideo: unknown field "second"`},
		{"concurrency without reserved", "setConcurrency: {function: f}", "x.yaml:4:21: setConcurrency: setConcurrency needs function and reserved (0 or more)"},
		{"negative concurrency", "setConcurrency: {function: f, reserved: -1}", "x.yaml:4:21: setConcurrency: setConcurrency needs function and reserved"},
		{"expect video without key", "expect: {video: {bucket: b}}", "x.yaml:4:13: expect: video needs bucket and key"},
		{"expect video bad duration", "expect: {video: {bucket: b, key: k, duration: long}}", `x.yaml:4:13: expect: video duration "long": a length such as 20s`},
		{"expect video bad url", "expect: {video: {bucket: b, key: k, sameDurationAs: b/k}}", `x.yaml:4:13: expect: sameDurationAs "b/k": want s3://BUCKET/KEY`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", "", []byte("name: x\nlab: default\nsteps:\n  - "+tc.step+"\n"))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("got  %v\nwant %s…", err, tc.want)
			}
		})
	}
}

const videoHeader = `name: video
description: the video steps
lab:
  buckets:
    - name: videos
  functions:
    - name: echoer
      handler: echo
steps:
  - uploadVideo: {bucket: videos, key: a.mp4, seconds: 2, width: 320, height: 240, fps: 5}
  - uploadVideo: {bucket: videos, key: b.mp4, seconds: 3, width: 320, height: 240, fps: 5}
  - upload: {bucket: videos, key: c.mp4, text: "not a video"}
`

// TestVideoExpectations: a generated video is what was asked for, and a
// wrong expectation says what differs.
func TestVideoExpectations(t *testing.T) {
	for _, tc := range []struct{ expect, fails string }{
		{"{video: {bucket: videos, key: a.mp4, width: 320, height: 240, duration: 2s}}", ""},
		{"{video: {bucket: videos, key: a.mp4, width: 640, height: 360}}", "s3://videos/a.mp4: 320×240, want 640×360"},
		{"{video: {bucket: videos, key: a.mp4, duration: 3s}}", "s3://videos/a.mp4: 2s long, want 3s"},
		{"{video: {bucket: videos, key: a.mp4, sameDurationAs: 's3://videos/b.mp4'}}", "s3://videos/a.mp4: 2s long, s3://videos/b.mp4 is 3s"},
		{"{video: {bucket: videos, key: c.mp4}}", "s3://videos/c.mp4: "},
		{"{video: {bucket: videos, key: d.mp4}}", "s3://videos/d.mp4: NoSuchKey: "},
	} {
		sc, err := Parse("video.yaml", "", []byte(videoHeader+"  - expect: "+tc.expect+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		res := Run(ctxT(t), sc)
		if tc.fails == "" {
			mustPass(t, res)
			continue
		}
		if res.Passed || !strings.Contains(res.Failure, "expect "+"s3://") || !strings.Contains(res.Failure, tc.fails) {
			t.Errorf("%s: %s\nwant a failure saying %q", tc.expect, res.Failure, tc.fails)
		}
	}
}

// TestSetConcurrencyThroughTheLambdaAPI: the step sets what
// GetFunctionConcurrency answers.
func TestSetConcurrencyThroughTheLambdaAPI(t *testing.T) {
	sc, err := Parse("video.yaml", "", []byte(strings.SplitAfter(videoHeader, "steps:\n")[0]+"  - setConcurrency: {function: echoer, reserved: 1}\n"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Start(ctxT(t), sc)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if sr := r.RunStep(0); !sr.Passed || sr.Description != "setConcurrency echoer reserved 1" {
		t.Fatalf("%+v", sr)
	}
	got, err := r.clients.Lambda.GetFunctionConcurrency(context.Background(), &lambdasdk.GetFunctionConcurrencyInput{FunctionName: aws.String("echoer")})
	if err != nil || aws.ToInt32(got.ReservedConcurrentExecutions) != 1 {
		t.Fatalf("GetFunctionConcurrency: %v %+v", err, got)
	}
}
