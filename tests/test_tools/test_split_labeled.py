import csv

from tool_runner import python_tool, run_tool


def write_csv(path, n_sources=10, per_source=3):
    with open(path, 'w') as f:
        f.write('image_name,score\n')
        for s in range(n_sources):
            for k in range(per_source):
                f.write(f'face{s}_{k}.jpg,{s + k / 10:.2f}\n')


def read(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def test_split_is_seeded_complete_and_grouped(tmp_path):
    src = tmp_path / 'labels.csv'
    write_csv(src)
    args = ['dataset_converters/split_labeled.py', str(src)]
    run_tool(python_tool(*args, str(tmp_path / 'a'), '--val-fraction',
                         '0.3', '--group-regex', r'^(face\d+)_'))
    run_tool(python_tool(*args, str(tmp_path / 'b'), '--val-fraction',
                         '0.3', '--group-regex', r'^(face\d+)_'))
    train, val = read(tmp_path / 'a/train.csv'), read(tmp_path / 'a/val.csv')
    assert len(train) + len(val) == 30 and len(val) == 9
    names = {r['image_name'] for r in train} | {r['image_name'] for r in val}
    assert len(names) == 30
    groups = lambda rows: {r['image_name'].split('_')[0] for r in rows}  # noqa
    assert not groups(train) & groups(val)  # no face in both parts
    # same seed, same split; another seed, another split
    assert (tmp_path / 'a/val.csv').read_text() == \
        (tmp_path / 'b/val.csv').read_text()
    run_tool(python_tool(*args, str(tmp_path / 'c'), '--val-fraction',
                         '0.3', '--seed', '5'))
    assert (tmp_path / 'c/val.csv').read_text() != \
        (tmp_path / 'a/val.csv').read_text()
