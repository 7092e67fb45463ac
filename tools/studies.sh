#!/usr/bin/env bash
# Every recorded study, in order: the exact commands behind the tables in nbs/results/ and the README.
# Runs go to runs/ (ignored); the small results.{json,md,png} are recorded in nbs/results/<study>/.
# `bash tools/studies.sh recipe|digits|digits_m|six|sepp|clsp|all` (about 2 CPU-hours in all on 2 cores;
# `recipe_default` runs only the two default/flip pairs, `recipe_more` the settings screened first).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" MPLBACKEND=Agg
what=${1:-all}
C="gps_ssl_compare --quiet"
R=nbs/results

if [[ $what == recipe_default ]]; then
  for ds in digits digits_m; do
    V="$C --dataset $ds --methods simclr --positives aug --augs strong --seeds 0,1,2 --references random,prior --eval_split val"
    $V --out runs/recipe/$ds/default --record $R/recipe/${ds}_default
    $V --flip --out runs/recipe/$ds/flip --record $R/recipe/${ds}_flip
  done
fi
if [[ $what == recipe || $what == all ]]; then   # choosing the small-image recipe on validation splits (never on test)
  for ds in digits digits_m; do
    V="$C --dataset $ds --methods simclr --positives aug --augs strong --seeds 0,1,2 --references random,prior --eval_split val"
    $V --out runs/recipe/$ds/default --record $R/recipe/${ds}_default     # the default: no flips on digits (hflip=False)
    $V --flip --out runs/recipe/$ds/flip --record $R/recipe/${ds}_flip     # SimCLR's flip p=0.5 put back
    $V --epochs 30 --batch_size 256 --temperature 0.5 --crop_min 0.08 --image_aug --out runs/recipe/$ds/old --record $R/recipe/${ds}_old
    $V --crop_min 0.08 --out runs/recipe/$ds/crop0.08 --record $R/recipe/${ds}_crop0.08
    $V --crop_min 0.2 --out runs/recipe/$ds/crop0.2 --record $R/recipe/${ds}_crop0.2
    if [[ $ds == digits ]]; then   # (on digits_m only the crop and the flip were compared: the session's CPU time ran short)
      $V --temperature 0.5 --out runs/recipe/$ds/t0.5 --record $R/recipe/${ds}_t0.5
      $V --epochs 100 --out runs/recipe/$ds/e100 --record $R/recipe/${ds}_e100
      $V --batch_size 256 --out runs/recipe/$ds/b256 --record $R/recipe/${ds}_b256
    fi
  done
fi
if [[ $what == recipe_more || $what == recipe || $what == all ]]; then   # settings first screened with flips, recorded under the default
  V="$C --dataset digits --methods simclr --positives aug --augs strong --seeds 0,1,2 --references random,prior --eval_split val"
  $V --lr 0.5 --out runs/recipe/digits/lr0.5 --record $R/recipe/digits_lr0.5
  $V --temperature 0.1 --out runs/recipe/digits/t0.1 --record $R/recipe/digits_t0.1
  $V --width 64 --out runs/recipe/digits/w64 --record $R/recipe/digits_w64
  $V --head_scale 0.5 --out runs/recipe/digits/head0.5 --record $R/recipe/digits_head0.5
  $V --crop_min 0.7 --out runs/recipe/digits/crop0.7 --record $R/recipe/digits_crop0.7
  $V --weight_decay 1e-5 --out runs/recipe/digits/wd1e-5 --record $R/recipe/digits_wd1e-5
fi
if [[ $what == digits || $what == all ]]; then   # the main job on digits, with every reference row
  gps_ssl_compare --quiet --out runs/digits_main --record $R/digits_main
fi
PRIOR=runs/digits_m_prior/checkpoint.pt
if [[ $what == digits_m || $what == six || $what == all ]]; then   # the supervised prior, trained on digits_m's prior split
  [[ -f $PRIOR ]] || gps_ssl_train --dataset digits_m --train_split prior --aug strong --supervised --quiet --out runs/digits_m_prior
fi
if [[ $what == digits_m || $what == all ]]; then   # the GPS headline in miniature: weak augmentation, a good and a poor prior, 5 seeds
  $C --dataset digits_m --positives aug,gps --augs weak,strong --prior ssl:$PRIOR,pixels --seeds 0,1,2,3,4 \
     --out runs/digits_m_gps --record $R/digits_m_gps
fi
if [[ $what == six || $what == all ]]; then   # every method with and without GPS (good prior), weak augmentation
  $C --dataset digits_m --methods simclr,byol,nnclr,vicreg,moco,simsiam --positives aug,gps --augs weak --prior ssl:$PRIOR \
     --references random,prior --out runs/digits_m_six --record $R/digits_m_six
fi
ENC=runs/digits_m_sepp_encoder/checkpoint.pt
if [[ $what == sepp || $what == all ]]; then   # SePP-ID against its random and oracle controls; the encoder: SimCLR, strong, seed 100
  [[ -f $ENC ]] || gps_ssl_train --dataset digits_m --aug strong --seed 100 --quiet --out runs/digits_m_sepp_encoder
  $C --dataset digits_m --methods moco --positives aug,sepp,sepp:random,sepp:oracle --augs weak --sepp_encoder $ENC \
     --sepp_k 5 --sepp_threshold 0.9 --out runs/digits_m_sepp --record $R/digits_m_sepp
fi
DDPM=runs/digits_ddpm/diffusion.pt
if [[ $what == clsp || $what == all ]]; then   # CLSP against the three-view control, on digits
  [[ -f $DDPM ]] || gps_ssl_diffusion --steps 6000 --no_flip --warmup 100 --quiet --out runs/digits_ddpm
  $C --positives aug,clsp:aug,clsp --augs strong --diffusion $DDPM --clsp_k 4 --clsp_steps 50 --clsp_lambda 0.1 \
     --out runs/digits_clsp --record $R/digits_clsp
  # the share of generated positives that keep the anchor's class, per w, with the sample and interpolation figures
  python -c "from gps_ssl.clsp import w_study; w_study('$DDPM', record='$R/clsp_w')"
fi
