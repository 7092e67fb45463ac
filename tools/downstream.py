"""The recorded downstream studies of 15_downstream: `python tools/downstream.py semi|transfer_digits_m|transfer_digits|refresh`.

Reads the encoders `tools/studies.sh downstream` trains (runs/digits_m_down, runs/digits_down: SimCLR and GPS-SimCLR, weak and
strong augmentation, seeds 0-2) and records nbs/results/<study>/results.{json,md,png}, each with its spec (studies/<study>.yaml).
`refresh` re-derives the downstream and init records from their stored runs (no training): intervals, MDEs and the spec."""
import sys
from pathlib import Path
from gps_ssl.downstream import downstream_study, refresh_downstream

RECORDS = ('digits_m_semi', 'digits_m_transfer', 'digits_transfer', 'digits_m_down', 'digits_down', 'digits_m_init')

ROWS = {'simclr_aug_weak': 'SimCLR, weak aug', 'simclr_gps_weak': 'GPS-SimCLR, weak aug',
        'simclr_aug_strong': 'SimCLR, strong aug', 'simclr_gps_strong': 'GPS-SimCLR, strong aug'}
def labels_note(head_only=True):
    from gps_ssl.data import get_dataset
    n = len(get_dataset('digits_m', split='prior'))
    return (f"the GPS rows' prior is a network trained with the labels of digits_m's prior split ({n} images, disjoint from train and test), so those rows "
            "saw more labels than the subset the table names; no reference row here is trained on the subset plus those labels."
            + (" Each encoder's `(head only)` row trains the head alone on its frozen features, so a fine-tune that harms the encoder shows." if head_only else ""))
def encoders(folder, prior):
    return {f"{name} ({prior} prior)" if 'GPS' in name else name: {s: Path(folder) / f'{run}_seed{s}' / 'checkpoint.pt' for s in (0, 1, 2)}
            for run, name in ROWS.items()}
def main(what):
    if what == 'refresh':   # every record re-derived from its stored runs, in place
        return {name: refresh_downstream(f'nbs/results/{name}', command='python tools/downstream.py refresh') for name in RECORDS}
    cmd = f'python tools/downstream.py {what}'
    if what == 'semi':
        enc = encoders('runs/digits_m_down', 'supervised')
        return downstream_study(enc, 'semi', fractions=(0.01, 0.1), command=cmd, record='nbs/results/digits_m_semi', note=labels_note(), spec='digits_m_semi',
                                primary=[('GPS-SimCLR, weak aug (supervised prior)', 'SimCLR, weak aug'),
                                         ('SimCLR, strong aug', 'supervised on the subset (random init, fine-tuned)')],
                                secondary=[('GPS-SimCLR, strong aug (supervised prior)', 'SimCLR, strong aug'),
                                           ('GPS-SimCLR, weak aug (supervised prior)', 'supervised on the subset (random init, fine-tuned)')])
    src, targets, prior = dict(transfer_digits_m=('digits_m', 'digits,digits28', 'supervised'),
                               transfer_digits=('digits', 'digits_m,digits28', 'pixel'))[what]
    enc = encoders(f'runs/{src}_down', prior)
    return downstream_study(enc, 'transfer', datasets=targets, command=cmd, record=f'nbs/results/{src}_transfer', spec=f'{src}_transfer',
                            note=labels_note(False).replace('than the subset the table names', 'than the SSL rows').replace(' on the subset plus those labels', ' with those labels') if src == 'digits_m' else None,
                            primary=[(f'GPS-SimCLR, weak aug ({prior} prior)', 'SimCLR, weak aug'), ('SimCLR, strong aug', 'random init')],
                            secondary=[(f'GPS-SimCLR, strong aug ({prior} prior)', 'SimCLR, strong aug')])
if __name__ == '__main__':
    if len(sys.argv) != 2 or sys.argv[1] not in ('semi', 'transfer_digits_m', 'transfer_digits', 'refresh'):
        sys.exit('usage: python tools/downstream.py semi|transfer_digits_m|transfer_digits|refresh')
    main(sys.argv[1])
