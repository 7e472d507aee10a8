package api_test

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/lambdalab/lambdalab/emulator/lambda/layers"
)

// storedZip is a zip of one file of n zero bytes, stored uncompressed, so
// the zip itself is a little over n bytes.
func storedZip(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "bin/big", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(make([]byte, n))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestLayerOver50MBFromS3: a zip over 50 MB cannot go in the request, but
// Lambda takes it from S3 (ffmpeg with its libraries is such a layer); only
// the unzipped size is limited.
func TestLayerOver50MBFromS3(t *testing.T) {
	l := newLab(t)
	big := storedZip(t, layers.MaxZipBytes+1<<20)
	l.objects["layers/big.zip"] = big
	v, err := l.client.PublishLayerVersion(ctx, &sdk.PublishLayerVersionInput{LayerName: aws.String("ffmpeg"),
		Content: &types.LayerVersionContentInput{S3Bucket: aws.String("layers"), S3Key: aws.String("big.zip")}})
	if err != nil || v.Version != 1 || v.Content.CodeSize != int64(len(big)) {
		t.Fatalf("PublishLayerVersion of %d bytes from S3: %v", len(big), err)
	}
	if _, err := l.reg.Publish("ffmpeg", big, "", nil); err == nil {
		t.Error("the registry took a zip over 50 MB as if it came in the request")
	}
}
