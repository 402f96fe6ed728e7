from tool_runner import python_tool, run_tool

SUBJECTS = ('F001', 'F002', 'M001', 'M002', 'M003', 'F003')
AUS = (1, 2, 4, 6, 7, 10, 12, 14, 15, 17, 23, 24)


def write_bp4d(root, tasks):
    """AU_OCC CSVs of six subjects, three frames each: AU k present in
    frame f where k + f is odd; frame 3's AU23 not coded (9)."""
    occ = root / 'AU_OCC'
    occ.mkdir()
    for subject in SUBJECTS:
        for task in tasks:
            rows = ['0,' + ','.join(str(a) for a in AUS)]
            rows += [f'{f},' + ','.join(
                '9' if (f, a) == (3, 23) else str((a + f) % 2) for a in AUS)
                for f in (1, 2, 3)]
            (occ / f'{subject}_{task}.csv').write_text('\n'.join(rows))
    return occ


def test_bp4d_fold_lists_from_the_command_line(tmp_path):
    occ = write_bp4d(tmp_path, tasks=('T1', ))
    folds = tmp_path / 'folds.txt'
    folds.write_text('F001 M001\nF002 M002\nM003 F003\n')
    out = tmp_path / 'lists'
    proc = run_tool(python_tool('dataset_converters/au_lists.py', 'bp4d',
                                str(occ), str(out), '--folds', str(folds)))
    lines = proc.stdout.splitlines()
    # frame 3 (AU23 coded 9) left out: odd AUs in frame 2, even ones in 1
    assert lines[0] == (f'{out}/fold1.txt: 2 subjects (F001 M001), 4 frames, '
                        '2 with an AU coded 9 (left out); present: '
                        'AU1 0.500 AU2 0.500 AU4 0.500 AU6 0.500 AU7 0.500 '
                        'AU10 0.500 AU12 0.500 AU14 0.500 AU15 0.500 '
                        'AU17 0.500 AU23 0.500 AU24 0.500')
    assert len(lines) == 3 and (out / 'fold3.txt').is_file()
    drawn = run_tool(python_tool('dataset_converters/au_lists.py', 'bp4d',
                                 str(occ), str(tmp_path / 'drawn'),
                                 '--folds', 'seeded'))
    assert drawn.stdout.startswith('folds drawn over the subjects (seed 0)')
    bad = run_tool(python_tool('dataset_converters/au_lists.py', 'disfa',
                               str(occ), str(tmp_path / 'x')), check=False)
    assert bad.returncode == 1
    assert bad.stderr.startswith(f'error: No subject folder (SN001 ...) in '
                                 f'{occ}')


def test_300w_lists_from_the_command_line(tmp_path):
    import cv2
    import numpy as np
    for folder in ('afw', 'helen/trainset', 'helen/testset', 'lfpw/trainset',
                   'lfpw/testset', 'ibug'):
        (tmp_path / folder).mkdir(parents=True)
        cv2.imwrite(str(tmp_path / folder / 'a.jpg'),
                    np.zeros((4, 4, 3), np.uint8))
        (tmp_path / folder / 'a.pts').write_text('version: 1\n')
    proc = run_tool(python_tool('dataset_converters/face300w_lists.py',
                                str(tmp_path)))
    assert proc.stdout.splitlines() == [
        f'{tmp_path}/train.txt: 3 images (the release has 3148)',
        f'{tmp_path}/common.txt: 2 images (the release has 554)',
        f'{tmp_path}/challenging.txt: 1 images (the release has 135)',
        f'{tmp_path}/full.txt: 3 images (the release has 689)']
    bad = run_tool(python_tool('dataset_converters/face300w_lists.py',
                               str(tmp_path / 'none')), check=False)
    assert bad.returncode == 1 and 'has no afw' in bad.stderr
