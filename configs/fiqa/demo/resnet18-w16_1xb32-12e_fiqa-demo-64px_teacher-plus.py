# Tiny teacher+ : the demo teacher retrained on labeled + pseudo-labeled U1.
_base_ = ['./resnet18-w16_1xb32-12e_fiqa-demo-64px_teacher.py']

pseudo_u1 = 'pseudo_u1.csv'
train_dataloader = dict(dataset=dict(ann_file=['train.csv', pseudo_u1]))
