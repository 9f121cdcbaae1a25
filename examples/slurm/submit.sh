#!/usr/bin/env bash
# Submits a sweep as a Slurm array of SHARDS tasks (examples/slurm/sweep.sbatch) and its merge
# (examples/slurm/merge.sbatch), which starts once every task succeeded and is cancelled if one fails:
#
#   examples/slurm/submit.sh examples/research/primary-down.yaml results 4
#   squeue --me                     # watch; the logs are in results/logs/
#   ls results/merged               # sweep.html, summary.json, runs.jsonl, … when the merge is done
#
# Prints the two job ids on its last line: `array=JOBID merge=JOBID`. Other sbatch options go in
# sbatch's SBATCH_* environment variables (e.g. SBATCH_PARTITION=short SBATCH_TIMELIMIT=2:00:00), the
# CPUs of a task in the #SBATCH line of sweep.sbatch. MAILSIM as in sweep.sbatch.
set -euo pipefail
if [[ $# -lt 2 || $# -gt 3 ]]; then
  echo "usage: $0 SWEEP.yaml OUT_DIR [SHARDS (default 4)]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
sweep=$(realpath "$1")
out=$(realpath -m "$2")
shards=${3:-4}
mkdir -p "$out/logs" # Slurm does not create the directory of --output
# --parsable prints JOBID or JOBID;CLUSTER
array=$(sbatch --parsable --array="0-$((shards - 1))" --output="$out/logs/sweep-%A_%a.out" "$here/sweep.sbatch" "$sweep" "$out")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:$array" --kill-on-invalid-dep=yes --output="$out/logs/merge-%j.out" "$here/merge.sbatch" "$out")
merge=${merge%%;*}
echo "array=$array merge=$merge"
