# Two entry points, both self-installing into .venv (idempotent):
#   make demo        generate the synthetic demo faces, run MAE-MS-KD on them
#   make demo-fiqa   Efficient-FIQA on degraded real + synthetic faces
#   make demo-pros   ProS: curation, pretraining, few-shot attributes/landmarks
#   make demo-face-prior  Face-prior: pretraining + ablations, few-shot rows
#   make test        run the test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.fbp_mm-installed
REQS := requirements/torch.txt requirements/mmcv.txt requirements/runtime.txt \
	requirements/face.txt requirements/tests.txt requirements/constraints.txt \
	setup.py
DEMO_DATA := data/demo_faces
DEMO_WORK := work_dirs/fbp_demo
FIQA_SRC := data/fiqa_src
FIQA_DATA := data/fiqa_demo
FIQA_WORK := work_dirs/fiqa_demo
NON_FACES := data/demo_non_faces
PROS_WORK := work_dirs/pros_demo
FACE_PRIOR_WORK := work_dirs/face_prior_demo

.PHONY: install demo demo-fiqa demo-pros demo-face-prior test lint \
	clean-demo

install: $(STAMP)

# Re-installs only when a requirements file changes.
$(STAMP): $(REQS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -c requirements/constraints.txt \
		-r requirements/torch.txt -r requirements/mmcv.txt \
		-r requirements/runtime.txt -r requirements/face.txt \
		-r requirements/tests.txt
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

# The MAE-MS-KD recipe at demo size (tiny archs, 64 px) in its regime (few
# labels, ten times more unlabeled faces): baselines, pretraining,
# fine-tuning, distillation, each tested once, then the table. Stages
# whose inputs did not change are skipped on a second run; `make
# clean-demo` starts over.
demo: $(STAMP)
	$(PY) tools/dataset_converters/make_demo_faces.py $(DEMO_DATA) \
		--num-labeled 800 --num-unlabeled 4000
	$(PY) tools/run_recipe.py configs/fbp/recipes/mae_ms_kd_demo.py \
		--work-root $(DEMO_WORK) --cfg-options vars.data_root=$(DEMO_DATA) \
		vars.unlabeled_root=$(DEMO_DATA)

# Efficient-FIQA at demo size: the 102 real faces that scikit-image and
# matplotlib ship plus 200 synthetic ones, each degraded at graded
# strengths (few labeled sources, two larger unlabeled pools); teacher,
# pseudo-labels, teacher+, and the student three ways (published offline
# pseudo-labels, online KD, online KD on degraded unlabeled views).
demo-fiqa: $(STAMP)
	$(PY) tools/dataset_converters/make_demo_faces.py $(DEMO_DATA) \
		--num-labeled 800 --num-unlabeled 4000
	$(PY) tools/dataset_converters/collect_package_faces.py $(FIQA_SRC) \
		--extra-dir $(DEMO_DATA)/unlabeled --extra-count 200
	$(PY) tools/dataset_converters/make_degraded_faces.py $(FIQA_SRC) \
		$(FIQA_DATA) --size 64 --splits 0.4 0.15 0.45 --unlabeled 0.25 0.25
	$(PY) tools/run_recipe.py configs/fiqa/recipes/efficient_fiqa_demo.py \
		--work-root $(FIQA_WORK) --cfg-options vars.data_root=$(FIQA_DATA)

# ProS at demo size: a raw folder (the unlabeled synthetic faces plus crops
# of photos without faces) curated by face detection, ProS / its
# no-prototype ablation / plain MAE pretraining of one tiny ViT on the
# crops, then few-shot (10% of the labels) attributes and landmarks.
demo-pros: $(STAMP)
	$(PY) tools/dataset_converters/make_demo_faces.py $(DEMO_DATA) \
		--num-labeled 800 --num-unlabeled 4000
	$(PY) tools/dataset_converters/make_non_faces.py $(NON_FACES)
	$(PY) tools/run_recipe.py configs/pros/recipes/pros_demo.py \
		--work-root $(PROS_WORK) --cfg-options vars.data_root=$(DEMO_DATA) \
		vars.raw_faces=$(DEMO_DATA)/unlabeled vars.non_faces=$(NON_FACES)

# Face-prior at demo size: one tiny ViT pretrained on the unlabeled
# synthetic faces and their landmarks with all three auxiliary levels, with
# each level left out in turn, and as a plain MAE; then few-shot (10% of
# the labels) attributes and beauty score from each initialisation.
demo-face-prior: $(STAMP)
	$(PY) tools/dataset_converters/make_demo_faces.py $(DEMO_DATA) \
		--num-labeled 800 --num-unlabeled 4000
	$(PY) tools/run_recipe.py configs/face_prior/recipes/face_prior_demo.py \
		--work-root $(FACE_PRIOR_WORK) --cfg-options vars.data_root=$(DEMO_DATA)

# Two pytest workers of one thread each: on 2 cores that beats one process
# of two threads (much of the suite is process start-up and Python, not
# BLAS); --dist loadfile keeps a file's tests and module fixtures on one
# worker, and --no-loadscope-reorder hands the files out in the order of
# tests/conftest.py (the longest first). `$(PY) -m pytest tests` runs
# them serially. Then the examples in the package's docstrings (a run of
# their own: --doctest-modules over tests/ would import its several
# conftest.py files as one module).
test: $(STAMP)
	OMP_NUM_THREADS=1 $(PY) -m pytest -n 2 --dist loadfile \
		--no-loadscope-reorder tests
	OMP_NUM_THREADS=1 $(PY) -m pytest -q -n 2 --doctest-modules fbp_mm

lint: $(STAMP)
	$(VENV)/bin/ruff check fbp_mm tools tests configs setup.py

clean-demo:
	rm -rf $(DEMO_DATA) $(DEMO_WORK) $(FIQA_SRC) $(FIQA_DATA) $(FIQA_WORK) \
		$(NON_FACES) $(PROS_WORK) $(FACE_PRIOR_WORK)
