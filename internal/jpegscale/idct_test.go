package jpegscale

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// idctFloat evaluates T.81's IDCT sum in floating point at the centres of
// an nx×ny grid (nx across), from the block's nx×ny low-frequency corner.
func idctFloat(blk *[64]int32, nx, ny int) []float64 {
	c := func(k int) float64 {
		if k == 0 {
			return 1 / math.Sqrt2
		}
		return 1
	}
	out := make([]float64, nx*ny)
	for y := range ny {
		for x := range nx {
			s := 0.0
			for v := range ny {
				for u := range nx {
					s += c(u) * c(v) * float64(blk[8*v+u]) *
						math.Cos(float64(2*x+1)*float64(u)*math.Pi/float64(2*nx)) *
						math.Cos(float64(2*y+1)*float64(v)*math.Pi/float64(2*ny))
				}
			}
			out[y*nx+x] = s/4 + 128
		}
	}
	return out
}

// The fixed-point transforms, square and not, are within rounding of the
// exact sum, on blocks from flat to noisy and on out-of-range ones that must
// clamp.
func TestIDCTMatchesFormula(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, dd := range [][2]int{{1, 1}, {2, 2}, {4, 4}, {8, 8}, {2, 1}, {1, 2}, {4, 2}, {8, 1}, {1, 8}, {2, 8}} {
		nx, ny := 8/dd[0], 8/dd[1]
		idct := idctFor(dd[0], dd[1])
		for _, tc := range []struct {
			name     string
			dc, ac   int32
			sparsity float64 // chance that an AC coefficient is zero
		}{
			{"flat", 300, 0, 1},
			{"smooth", 200, 40, 0.8},
			{"textured", 500, 200, 0.3},
			{"saturating", 2000, 1000, 0},
		} {
			t.Run(fmt.Sprintf("1:%dx1:%d/%s", dd[0], dd[1], tc.name), func(t *testing.T) {
				worst := 0.0
				for range 200 {
					var blk [64]int32
					blk[0] = rng.Int32N(2*tc.dc+1) - tc.dc
					ac := false
					for i := 1; i < 64; i++ {
						if tc.ac > 0 && rng.Float64() >= tc.sparsity {
							blk[i] = rng.Int32N(2*tc.ac+1) - tc.ac
							ac = ac || (i/8 < ny && i%8 < nx && blk[i] != 0)
						}
					}
					dst := make([]uint8, 8*10)
					idct(&blk, ac, dst, 10)
					want := idctFloat(&blk, nx, ny)
					for y := range ny {
						for x := range nx {
							w := math.Max(0, math.Min(255, want[y*nx+x]))
							worst = math.Max(worst, math.Abs(float64(dst[y*10+x])-w))
						}
					}
				}
				if worst > 1 {
					t.Errorf("largest difference from the exact IDCT: %.2f, want ≤ 1", worst)
				}
			})
		}
	}
}

func TestZigzag(t *testing.T) {
	// The start of T.81 figure A.6, and every position exactly once.
	want := []int{0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5}
	for k, p := range want {
		if natural[k] != p {
			t.Fatalf("natural[%d] = %d, want %d", k, natural[k], p)
		}
	}
	seen := map[int]bool{}
	for _, p := range natural {
		seen[p] = true
	}
	if len(seen) != 64 || natural[63] != 63 {
		t.Errorf("natural is not a permutation ending at 63: %v", natural)
	}
	for n, want := range map[[2]int]int{{1, 1}: 0, {2, 2}: 4, {4, 4}: 24, {8, 8}: 63, {4, 8}: 49, {8, 4}: 53, {1, 2}: 2} {
		if got := lastZigzag(n[0], n[1]); got != want {
			t.Errorf("lastZigzag(%d, %d) = %d, want %d", n[0], n[1], got, want)
		}
	}
}
