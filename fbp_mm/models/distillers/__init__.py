from .connectors import ConvConnector, LinearConnector
from .recorder import ModuleOutputRecorder
from .teacher_student_distiller import (TeacherStudentDistiller,
                                        resolve_network_cfg,
                                        select_teacher_state_dict)

__all__ = [
    'ConvConnector', 'LinearConnector', 'ModuleOutputRecorder',
    'TeacherStudentDistiller', 'resolve_network_cfg',
    'select_teacher_state_dict'
]
