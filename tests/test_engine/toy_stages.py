"""A toy recipe stage for the runner tests: counts steps, keeps a journal.

``ToyStage`` writes one line per step to ``progress.txt`` in its folder
(``delay`` seconds apart) and then ``result.txt``: its ``value`` followed
by the content of ``source`` (an earlier stage's result). Every start is
appended to ``<work root>/journal.txt`` as ``<name> fresh`` or
``<name> resumed from <k>``, so a test can see what ran and how.
"""
import os.path as osp
import time

from fbp_mm.engine.recipe import RECIPE_STAGES, RecipeStage, TrainStage


@RECIPE_STAGES.register_module('toy', force=True)
class ToyStage(RecipeStage):
    """See the module docstring."""

    outputs = ('result', )

    def __init__(self, name, value, source=None, steps=3, delay=0.0,
                 fail=False, recipe_dir='.'):
        super().__init__(name, recipe_dir)
        self.fail = fail
        self.value = value
        self.source = source
        self.steps = steps
        self.delay = delay

    def fingerprint(self, hasher):
        result = dict(value=str(self.value), steps=str(self.steps))
        if self.source:
            result['source'] = hasher.file(self.source)
        return result

    def run(self, work_dir, resume):
        progress = osp.join(work_dir, 'progress.txt')
        done = 0
        if resume and osp.isfile(progress):
            with open(progress) as f:
                done = len(f.read().splitlines())
        with open(osp.join(osp.dirname(work_dir), 'journal.txt'), 'a') as f:
            f.write(f'{self.name} resumed from {done}\n' if resume else
                    f'{self.name} fresh\n')
        if self.fail:
            raise RuntimeError(f'{self.name} fails on purpose')
        for step in range(done, self.steps):
            time.sleep(self.delay)
            with open(progress, 'a') as f:
                f.write(f'step {step}\n')
        text = str(self.value)
        if self.source:
            with open(self.source) as f:
                text += '+' + f.read()
        out = osp.join(work_dir, 'result.txt')
        with open(out, 'w') as f:
            f.write(text)
        return dict(result=out)


@RECIPE_STAGES.register_module('toy_seeded', force=True)
class ToySeededStage(TrainStage):
    """A "training" that only reports the seed the runner gave it."""

    outputs = ('metrics', 'test_files')

    def __init__(self, name, cfg_options=None, recipe_dir='.'):
        RecipeStage.__init__(self, name, recipe_dir)
        self.cfg_options = dict(cfg_options or {})

    def fingerprint(self, hasher):
        return dict(options=repr(sorted(self.cfg_options.items())))

    def run(self, work_dir, resume):
        seed = self.cfg_options.get('randomness.seed', -1)
        return dict(metrics=dict(plcc=0.5 + 0.1 * seed, params_m=1.0),
                    test_files=['test.txt'])

    def describe(self):
        return 'a seeded toy'
