#!/bin/sh
# Rebuilds src/simulator/sample.mp4, the video the simulator serves for finished tasks:
# 4 seconds of ffmpeg's test pattern, 320x180 at 15 fps, H.264 baseline (plays in every browser),
# no audio, `moov` first so a <video> element can start before the whole file arrived.
# Needs ffmpeg (Debian: apt-get install ffmpeg). Output is deterministic for one ffmpeg build.
set -eu
cd "$(dirname "$0")/.."
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i testsrc=duration=4:size=320x180:rate=15 \
  -c:v libx264 -profile:v baseline -pix_fmt yuv420p -crf 24 -preset veryslow \
  -movflags +faststart -map_metadata -1 -fflags +bitexact -flags:v +bitexact \
  src/simulator/sample.mp4
