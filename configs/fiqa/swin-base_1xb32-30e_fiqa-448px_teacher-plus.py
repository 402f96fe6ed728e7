# Efficient-FIQA teacher+: the teacher's recipe retrained on labeled data
# plus the first pseudo-labeled set (U1, labeled by the teacher).
# Everything else (ImageNet-21k->1k Swin-B, short-side resize + random crop
# at 448 px, 128-wide MLP head, MSE + PLCC loss) is the teacher's; see the
# notes at the top of swin-base_1xb32-30e_fiqa-448px_teacher.py.
_base_ = ['./swin-base_1xb32-30e_fiqa-448px_teacher.py']

# Pseudo-label lists, relative to data_root unless absolute; the recipe
# configs/fiqa/recipes/efficient_fiqa.py passes the ones it writes.
pseudo_u1 = 'pseudo_u1.csv'

# Labeled and pseudo-labeled lists read as one dataset.
train_dataloader = dict(dataset=dict(ann_file=['train.csv', pseudo_u1]))
